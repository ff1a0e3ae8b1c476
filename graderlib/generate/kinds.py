"""The bug kinds: each finds the sites in a clean module where it can inject, and rewrites one.

A bug kind is one small class, in the style of a Fixit rule: its taxonomy category, the hint
and explanation a learner gets, a ``sites`` method that returns the nodes it can mutate (found
with libcst matchers, in source order), and a ``rewrite`` method that says what such a node
becomes. Where the annotation goes is not the kind's business (see :mod:`.edit`). A site is
always a *safe* form of the pattern (a bound SQL parameter, a call with a timeout ...), so an
untouched site of an injected kind is an exact ``# ok:`` look-alike.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import ClassVar

import libcst as cst
import libcst.matchers as m

from graderlib.generate.edit import Replacement, find, parents

SECRET_NAME = re.compile(r"(password|passwd|secret|token|api_key|apikey|credential)", re.I)
LOCK_NAME = re.compile(r"(lock|mutex)$", re.I)
NETWORK_CALLS = {"urlopen", "opener", "_opener", "create_connection"}
HTTP_METHODS = {"get", "post", "put", "patch", "delete", "head", "request"}
HTTP_CLIENTS = {"requests", "httpx", "session", "_session", "client", "_client"}
SUBPROCESS_CALLS = {"run", "call", "check_call", "check_output", "Popen"}
LOG_METHODS = {"debug", "info", "warning", "error", "exception", "critical"}
EMPTY_CONTAINERS = ("[]", "{}", "set()", "list()", "dict()")


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def _dotted(node: cst.BaseExpression) -> str:
    """``a.b.c`` for a Name/Attribute chain, '' for anything else."""
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr.value}" if inner else ""
    return ""


def _f_string(parts: Sequence[str | cst.BaseExpression]) -> cst.BaseExpression | None:
    """An f-string from literal text and expressions; None if an expression needs quotes."""
    text = []
    for part in parts:
        if isinstance(part, str):
            escaped = part.replace("\\", "\\\\").replace('"', '\\"')
            text.append(escaped.replace("{", "{{").replace("}", "}}"))
        else:
            code = _code(part)
            if any(c in code for c in "\"'\\{}\n"):
                return None
            text.append("{" + code + "}")
    return cst.parse_expression('f"' + "".join(text) + '"')


class BugKind:
    """One way of breaking clean code. Subclasses set the fields and the two methods."""

    name: ClassVar[str]
    category: ClassVar[str]
    severity: ClassVar[str]
    hint: ClassVar[str]
    explanation: ClassVar[str]
    fix_keywords: ClassVar[tuple[str, ...]] = ()

    def sites(self, module: cst.Module) -> list[cst.CSTNode]:
        raise NotImplementedError

    def rewrite(self, node: cst.CSTNode, module: cst.Module) -> Replacement:
        raise NotImplementedError


# ------------------------------------------------------------------------------ security


class FormatSqlQuery(BugKind):
    name = "sql-format"
    category = "sql-injection"
    severity = "critical"
    hint = "Follow the values that reach the SQL text."
    explanation = (
        "The query is built by pasting values into the SQL string, so a value containing a "
        "quote changes the statement (SQL injection, and a crash on names like O'Brien). Keep "
        "the `?` placeholders and pass the values as the second argument of execute()."
    )
    fix_keywords = ("?", "parameter")

    _matcher = m.Call(
        func=m.Attribute(attr=m.Name("execute") | m.Name("executemany")),
        args=[m.Arg(value=m.SimpleString()), m.Arg(value=m.Tuple())],
    )

    def _parts(self, node: cst.Call) -> list[str | cst.BaseExpression] | None:
        query = node.args[0].value
        values = node.args[1].value
        if not isinstance(query, cst.SimpleString) or not isinstance(values, cst.Tuple):
            return None
        text = query.evaluated_value
        if not isinstance(text, str):
            return None
        pieces = text.split("?")
        elements = [e.value for e in values.elements if not isinstance(e, cst.StarredElement)]
        if len(pieces) - 1 != len(elements) or not elements:
            return None
        parts: list[str | cst.BaseExpression] = [pieces[0]]
        for value, piece in zip(elements, pieces[1:], strict=True):
            bare = re.search(r"(LIMIT|OFFSET)\s*$", str(parts[-1]), re.I) is not None
            if bare:
                parts.append(value)
                parts.append(piece)
            else:
                parts[-1] = f"{parts[-1]}'"
                parts.append(value)
                parts.append(f"'{piece}")
        return parts

    def sites(self, module: cst.Module) -> list[cst.CSTNode]:
        found = find(module, cst.Call, self._matcher)
        return [n for n in found if isinstance(n, cst.Call) and self._fits(n)]

    def _fits(self, node: cst.Call) -> bool:
        parts = self._parts(node)
        return parts is not None and _f_string(parts) is not None

    def rewrite(self, node: cst.CSTNode, module: cst.Module) -> Replacement:
        assert isinstance(node, cst.Call)
        parts = self._parts(node)
        assert parts is not None
        query = _f_string(parts)
        assert query is not None
        return node.with_changes(
            args=[node.args[0].with_changes(value=query, comma=cst.MaybeSentinel.DEFAULT)]
        )


class ShellCommand(BugKind):
    name = "shell-true"
    category = "command-injection"
    severity = "critical"
    hint = "How does the operating system receive this command?"
    explanation = (
        "The command is joined into one string and run with shell=True, so any value in it "
        "that contains shell metacharacters (`;`, `$(...)`, spaces) runs extra commands or "
        "breaks the arguments. Pass an argument list and no shell."
    )
    fix_keywords = ("shell=False", "list")

    _matcher = m.Call(args=[m.Arg(value=m.List(), keyword=None), m.ZeroOrMore()])

    def sites(self, module: cst.Module) -> list[cst.CSTNode]:
        found: list[cst.CSTNode] = []
        for node in find(module, cst.Call, self._matcher):
            assert isinstance(node, cst.Call)
            dotted = _dotted(node.func)
            if (
                not dotted.startswith("subprocess.")
                or dotted.split(".")[-1] not in SUBPROCESS_CALLS
            ):
                continue
            if any(a.keyword is not None and a.keyword.value == "shell" for a in node.args):
                continue
            if self._command(node) is not None:
                found.append(node)
        return found

    def _command(self, node: cst.Call) -> cst.BaseExpression | None:
        listed = node.args[0].value
        assert isinstance(listed, cst.List)
        parts: list[str | cst.BaseExpression] = []
        for index, element in enumerate(listed.elements):
            if isinstance(element, cst.StarredElement):
                return None
            if index:
                parts.append(" ")
            value = element.value
            if isinstance(value, cst.SimpleString) and isinstance(value.evaluated_value, str):
                parts.append(value.evaluated_value)
            elif isinstance(value, cst.Call) and _dotted(value.func) == "str" and value.args:
                parts.append(value.args[0].value)
            else:
                parts.append(value)
        return _f_string(parts)

    def rewrite(self, node: cst.CSTNode, module: cst.Module) -> Replacement:
        assert isinstance(node, cst.Call)
        command = self._command(node)
        assert command is not None
        shell = cst.Arg(
            keyword=cst.Name("shell"),
            value=cst.Name("True"),
            equal=cst.AssignEqual(
                whitespace_before=cst.SimpleWhitespace(""),
                whitespace_after=cst.SimpleWhitespace(""),
            ),
        )
        first = node.args[0].with_changes(value=command)
        rest = list(node.args[1:])
        comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        if rest:
            return node.with_changes(args=[first, shell.with_changes(comma=comma), *rest])
        return node.with_changes(args=[first.with_changes(comma=comma), shell])


class UnsafeYamlLoad(BugKind):
    name = "yaml-load"
    category = "unsafe-deserialization"
    severity = "critical"
    hint = "Which YAML loader is used, and what can a YAML tag construct with it?"
    explanation = (
        "yaml.load with yaml.Loader constructs arbitrary Python objects from tags such as "
        "!!python/object/apply, so a crafted document runs code when it is parsed. Use "
        "yaml.safe_load."
    )
    fix_keywords = ("safe_load",)

    _type = cst.Call
    _matcher = m.Call(func=m.Attribute(value=m.Name("yaml"), attr=m.Name("safe_load")))

    def sites(self, module: cst.Module) -> list[cst.CSTNode]:
        return find(module, self._type, self._matcher)

    def rewrite(self, node: cst.CSTNode, module: cst.Module) -> Replacement:
        assert isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute)
        loader = cst.Arg(
            keyword=cst.Name("Loader"),
            value=cst.parse_expression("yaml.Loader"),
            equal=cst.AssignEqual(
                whitespace_before=cst.SimpleWhitespace(""),
                whitespace_after=cst.SimpleWhitespace(""),
            ),
        )
        args = [
            *node.args[:-1],
            node.args[-1].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
            loader,
        ]
        return node.with_changes(func=node.func.with_changes(attr=cst.Name("load")), args=args)


class DropTimeout(BugKind):
    name = "drop-timeout"
    category = "request-without-timeout"
    severity = "medium"
    hint = "How long can this network call wait?"
    explanation = (
        "The network call has no timeout, so a server that accepts the connection and never "
        "answers blocks this code forever (and any retry logic never runs). Pass an explicit "
        "timeout."
    )
    fix_keywords = ("timeout",)

    def sites(self, module: cst.Module) -> list[cst.CSTNode]:
        found: list[cst.CSTNode] = []
        matcher = m.Call(args=[m.ZeroOrMore(), m.Arg(keyword=m.Name("timeout")), m.ZeroOrMore()])
        for node in find(module, cst.Call, matcher):
            assert isinstance(node, cst.Call)
            dotted = _dotted(node.func)
            last = dotted.split(".")[-1]
            receiver = dotted.split(".")[-2] if "." in dotted else ""
            if last in NETWORK_CALLS or (last in HTTP_METHODS and receiver in HTTP_CLIENTS):
                found.append(node)
        return found

    def rewrite(self, node: cst.CSTNode, module: cst.Module) -> Replacement:
        assert isinstance(node, cst.Call)
        args = [
            a for a in node.args if not (a.keyword is not None and a.keyword.value == "timeout")
        ]
        args[-1] = args[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        return node.with_changes(args=args)


class LogSecret(BugKind):
    name = "log-secret"
    category = "sensitive-data-in-logs"
    severity = "medium"
    hint = "Read the log call's arguments: what ends up in the log files?"
    explanation = (
        "The log call writes a secret (a password, token or key) into the logs, where it is "
        "kept long, copied widely and readable by far more people than the secret should be. "
        "Log an identifier or the outcome, never the secret."
    )
    fix_keywords = ("remove secret",)

    _matcher = m.Call(
        func=m.Attribute(attr=m.OneOf(*(m.Name(n) for n in LOG_METHODS))),
        args=[m.Arg(value=m.SimpleString()), m.ZeroOrMore()],
    )

    def _secret_for(
        self, node: cst.Call, parent_map: Mapping[cst.CSTNode, cst.CSTNode]
    ) -> str | None:
        current: cst.CSTNode | None = node
        while current is not None and not isinstance(current, cst.FunctionDef):
            current = parent_map.get(current)
        if current is None:
            return None
        used = {n.value for n in m.findall(node, m.Name()) if isinstance(n, cst.Name)}
        for param in current.params.params:
            name = param.name.value
            if SECRET_NAME.search(name) and name not in used:
                return name
        return None

    def sites(self, module: cst.Module) -> list[cst.CSTNode]:
        parent_map = parents(module)
        found: list[cst.CSTNode] = []
        for node in find(module, cst.Call, self._matcher):
            assert isinstance(node, cst.Call)
            logger = _dotted(node.func).split(".")[0]
            if logger not in {"log", "logger", "logging", "_log", "_logger", "LOG", "self"}:
                continue
            if self._secret_for(node, parent_map) is not None:
                found.append(node)
        return found

    def rewrite(self, node: cst.CSTNode, module: cst.Module) -> Replacement:
        assert isinstance(node, cst.Call)
        secret = self._secret_for(node, parents(module))
        assert secret is not None
        message = node.args[0].value
        assert isinstance(message, cst.SimpleString)
        quote = message.quote
        body = message.value[len(message.prefix) + len(quote) : -len(quote)]
        new_message = message.with_changes(
            value=f"{message.prefix}{quote}{body} ({secret}=%r){quote}"
        )
        args = list(node.args)
        args[0] = args[0].with_changes(value=new_message)
        comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        args[-1] = args[-1].with_changes(comma=comma)
        args.append(cst.Arg(value=cst.Name(secret)))
        return node.with_changes(args=args)


class WeakHash(BugKind):
    name = "weak-hash"
    category = "weak-hash"
    severity = "high"
    hint = "Is this hash function still fit for a security purpose?"
    explanation = (
        "MD5 is broken: collisions are cheap and it is fast to brute-force, so it must not "
        "protect tokens, signatures or credentials. Use SHA-256 (or a KDF for passwords)."
    )
    fix_keywords = ("sha256",)

    _type = cst.Attribute
    _matcher = m.Attribute(value=m.Name("hashlib"), attr=m.Name("sha256"))

    def sites(self, module: cst.Module) -> list[cst.CSTNode]:
        return find(module, self._type, self._matcher)

    def rewrite(self, node: cst.CSTNode, module: cst.Module) -> Replacement:
        assert isinstance(node, cst.Attribute)
        return node.with_changes(attr=cst.Name("md5"))


# --------------------------------------------------------------------------- correctness


class DropWith(BugKind):
    name = "drop-with"
    category = "resource-leak"
    severity = "medium"
    hint = "When is this file closed?"
    explanation = (
        "The file is opened without a `with` block and never closed: data may not be flushed "
        "when someone reads it, descriptors leak in long runs, and an exception leaves it open. "
        "Use `with open(...) as handle:`."
    )
    fix_keywords = ("with open",)

    _type = cst.With
    _matcher = m.With(
        items=[m.WithItem(item=m.Call(func=m.Name("open")), asname=m.AsName(name=m.Name()))],
        body=m.IndentedBlock(),
        asynchronous=None,
    )

    def sites(self, module: cst.Module) -> list[cst.CSTNode]:
        return find(module, self._type, self._matcher)

    def rewrite(self, node: cst.CSTNode, module: cst.Module) -> Replacement:
        assert isinstance(node, cst.With) and isinstance(node.body, cst.IndentedBlock)
        item = node.items[0]
        assert item.asname is not None
        assign = cst.SimpleStatementLine(
            body=[cst.Assign(targets=[cst.AssignTarget(target=item.asname.name)], value=item.item)]
        )
        return [assign, *node.body.body]


class RemoveLock(BugKind):
    name = "remove-lock"
    category = "missing-lock"
    severity = "high"
    hint = "Which threads can run this block at the same time?"
    explanation = (
        "This read-modify-write of shared state is no longer under the lock that guards it "
        "everywhere else, so concurrent threads interleave and lose or corrupt updates. Hold "
        "the lock around the whole critical section."
    )
    fix_keywords = ("with self._lock", "Lock")

    def sites(self, module: cst.Module) -> list[cst.CSTNode]:
        found: list[cst.CSTNode] = []
        matcher = m.With(items=[m.WithItem(asname=None)], body=m.IndentedBlock())
        for node in find(module, cst.With, matcher):
            assert isinstance(node, cst.With)
            name = _dotted(node.items[0].item).split(".")[-1]
            if LOCK_NAME.search(name):
                found.append(node)
        return found

    def rewrite(self, node: cst.CSTNode, module: cst.Module) -> Replacement:
        assert isinstance(node, cst.With) and isinstance(node.body, cst.IndentedBlock)
        return list(node.body.body)


class SwallowException(BugKind):
    name = "swallow-except"
    category = "swallowed-exception"
    severity = "medium"
    hint = "What happens to an error raised in this try block?"
    explanation = (
        "The handler catches every Exception and returns quietly, so real failures (bad input, "
        "a broken dependency, a bug) disappear and callers carry on with a None result. Catch "
        "the specific exception and re-raise or report it."
    )
    fix_keywords = ("raise", "specific exception")

    def sites(self, module: cst.Module) -> list[cst.CSTNode]:
        parent_map = parents(module)
        found: list[cst.CSTNode] = []
        for node in find(module, cst.Try):
            assert isinstance(node, cst.Try)
            if len(node.handlers) != 1:
                continue
            handler = node.handlers[0]
            if handler.type is None or not m.findall(handler.body, m.Raise()):
                continue
            if self._function(node, parent_map) is not None:
                found.append(handler)
        return found

    @staticmethod
    def _function(
        node: cst.CSTNode, parent_map: Mapping[cst.CSTNode, cst.CSTNode]
    ) -> cst.FunctionDef | None:
        current: cst.CSTNode | None = node
        while current is not None and not isinstance(current, cst.FunctionDef):
            current = parent_map.get(current)
        return current

    def rewrite(self, node: cst.CSTNode, module: cst.Module) -> Replacement:
        assert isinstance(node, cst.ExceptHandler)
        body = cst.IndentedBlock(
            body=[cst.SimpleStatementLine(body=[cst.Return(cst.Name("None"))])]
        )
        return node.with_changes(type=cst.Name("Exception"), name=None, body=body)


class MutableDefault(BugKind):
    name = "mutable-default"
    category = "mutable-default-argument"
    severity = "medium"
    hint = "When is the default value of this parameter created?"
    explanation = (
        "The default container is created once, when the function is defined, and shared by "
        "every call that omits the argument; changes made in one call leak into the next. "
        "Default to None and create a new container inside the function."
    )
    fix_keywords = ("None", "default")

    def _guard(self, func: cst.FunctionDef) -> tuple[int, str, cst.BaseExpression] | None:
        if not isinstance(func.body, cst.IndentedBlock):
            return None
        defaults = {
            p.name.value
            for p in func.params.params
            if p.default is not None and m.matches(p.default, m.Name("None"))
        }
        for index, statement in enumerate(func.body.body[:3]):
            if not isinstance(statement, cst.If) or statement.orelse is not None:
                continue
            test = statement.test
            if not m.matches(
                test,
                m.Comparison(
                    left=m.Name(),
                    comparisons=[m.ComparisonTarget(operator=m.Is(), comparator=m.Name("None"))],
                ),
            ):
                continue
            assert isinstance(test, cst.Comparison) and isinstance(test.left, cst.Name)
            name = test.left.value
            body = statement.body
            if (
                name not in defaults
                or not isinstance(body, cst.IndentedBlock)
                or len(body.body) != 1
            ):
                continue
            line = body.body[0]
            if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
                continue
            assign = line.body[0]
            if (
                isinstance(assign, cst.Assign)
                and m.matches(assign.targets[0].target, m.Name(name))
                and _code(assign.value) in EMPTY_CONTAINERS
            ):
                return index, name, assign.value
        return None

    def sites(self, module: cst.Module) -> list[cst.CSTNode]:
        return [
            f
            for f in find(module, cst.FunctionDef)
            if isinstance(f, cst.FunctionDef) and self._guard(f) is not None
        ]

    def rewrite(self, node: cst.CSTNode, module: cst.Module) -> Replacement:
        assert isinstance(node, cst.FunctionDef) and isinstance(node.body, cst.IndentedBlock)
        guard = self._guard(node)
        assert guard is not None
        index, name, value = guard
        params = [
            p.with_changes(default=value) if p.name.value == name else p for p in node.params.params
        ]
        body = [s for i, s in enumerate(node.body.body) if i != index]
        return [
            node.with_changes(
                params=node.params.with_changes(params=params),
                body=node.body.with_changes(body=body),
            )
        ]


class IdentityComparison(BugKind):
    name = "eq-to-is"
    category = "identity-comparison"
    severity = "medium"
    hint = "Does this comparison look at the value or at the object?"
    explanation = (
        "`is` compares object identity, not value; a string built at run time (read from a "
        "file, a request or a database) is a different object from the literal, so the check "
        "is False even when the text matches. Use == / !=."
    )
    fix_keywords = ("==",)

    _type = cst.Comparison
    _matcher = m.Comparison(
        comparisons=[
            m.ComparisonTarget(operator=m.Equal() | m.NotEqual(), comparator=m.SimpleString())
        ]
    )

    def sites(self, module: cst.Module) -> list[cst.CSTNode]:
        return find(module, self._type, self._matcher)

    def rewrite(self, node: cst.CSTNode, module: cst.Module) -> Replacement:
        assert isinstance(node, cst.Comparison)
        target = node.comparisons[0]
        space = cst.SimpleWhitespace(" ")
        operator: cst.BaseCompOp
        if isinstance(target.operator, cst.Equal):
            operator = cst.Is(whitespace_before=space, whitespace_after=space)
        else:
            operator = cst.IsNot(
                whitespace_before=space, whitespace_between=space, whitespace_after=space
            )
        return node.with_changes(comparisons=[target.with_changes(operator=operator)])


class ShiftRangeBound(BugKind):
    name = "range-bound"
    category = "off-by-one"
    severity = "medium"
    hint = "Count the iterations of this range: does it reach the last element?"
    explanation = (
        "The range stops one element early, so the last item (the last batch, attempt or row) "
        "is silently skipped. Restore the bound."
    )
    fix_keywords = ("range",)

    _matcher = m.Call(func=m.Name("range"))

    def sites(self, module: cst.Module) -> list[cst.CSTNode]:
        return [
            n
            for n in find(module, cst.Call, self._matcher)
            if isinstance(n, cst.Call)
            and 1 <= len(n.args) <= 2
            and all(a.keyword is None and a.star == "" for a in n.args)
        ]

    def rewrite(self, node: cst.CSTNode, module: cst.Module) -> Replacement:
        assert isinstance(node, cst.Call)
        last = node.args[-1]
        bound = last.value
        new_bound: cst.BaseExpression
        if m.matches(bound, m.BinaryOperation(operator=m.Add(), right=m.Integer("1"))):
            assert isinstance(bound, cst.BinaryOperation)
            new_bound = bound.left
        else:
            new_bound = cst.parse_expression(f"{_code(bound)} - 1")
        return node.with_changes(args=[*node.args[:-1], last.with_changes(value=new_bound)])


class LateBindingClosure(BugKind):
    name = "late-binding"
    category = "late-binding-closure"
    severity = "medium"
    hint = "Which value of the loop variable does this function see when it runs?"
    explanation = (
        "The lambda no longer binds the loop variable as a default argument, so it looks the "
        "name up when it is called, after the loop has finished: every callback sees the last "
        "value. Bind it (`x=x`) or use functools.partial."
    )
    fix_keywords = ("default argument", "partial")

    def _bound(self, node: cst.Lambda) -> list[cst.Param]:
        return [
            p
            for p in node.params.params
            if isinstance(p.default, cst.Name) and p.default.value == p.name.value
        ]

    def sites(self, module: cst.Module) -> list[cst.CSTNode]:
        parent_map = parents(module)
        found: list[cst.CSTNode] = []
        for node in find(module, cst.Lambda):
            assert isinstance(node, cst.Lambda)
            if not self._bound(node):
                continue
            current: cst.CSTNode | None = parent_map.get(node)
            while current is not None and not isinstance(current, cst.FunctionDef):
                if isinstance(
                    current, cst.For | cst.ListComp | cst.SetComp | cst.GeneratorExp | cst.DictComp
                ):
                    found.append(node)
                    break
                current = parent_map.get(current)
        return found

    def rewrite(self, node: cst.CSTNode, module: cst.Module) -> Replacement:
        assert isinstance(node, cst.Lambda)
        drop = {id(p) for p in self._bound(node)}
        params = [p for p in node.params.params if id(p) not in drop]
        if params:
            params[-1] = params[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
        new_params = node.params.with_changes(params=params)
        whitespace = node.whitespace_after_lambda if params else cst.SimpleWhitespace("")
        return node.with_changes(params=new_params, whitespace_after_lambda=whitespace)


class RemoveNoneGuard(BugKind):
    name = "drop-none-guard"
    category = "none-dereference"
    severity = "medium"
    hint = "What if the value looked up just before is missing?"
    explanation = (
        "The lookup can return None (a missing row, key or match), and nothing checks it any "
        "more before it is used, so a missing value crashes with AttributeError/TypeError "
        "instead of the intended error or default. Check for None first."
    )
    fix_keywords = ("is None",)

    _matcher = m.If(
        test=m.Comparison(
            comparisons=[m.ComparisonTarget(operator=m.Is(), comparator=m.Name("None"))]
        ),
        body=m.IndentedBlock(body=[m.SimpleStatementLine(body=[m.Raise() | m.Return()])]),
        orelse=None,
    )

    def sites(self, module: cst.Module) -> list[cst.CSTNode]:
        parent_map = parents(module)
        found: list[cst.CSTNode] = []
        for node in find(module, cst.If, self._matcher):
            block = parent_map.get(node)
            body: Sequence[cst.CSTNode] = getattr(block, "body", ())
            if isinstance(body, Sequence) and body and body[-1] is not node:
                found.append(node)
        return found

    def rewrite(self, node: cst.CSTNode, module: cst.Module) -> Replacement:
        return []


ALL_KINDS: tuple[BugKind, ...] = (
    FormatSqlQuery(),
    ShellCommand(),
    UnsafeYamlLoad(),
    DropTimeout(),
    LogSecret(),
    WeakHash(),
    DropWith(),
    RemoveLock(),
    SwallowException(),
    MutableDefault(),
    IdentityComparison(),
    ShiftRangeBound(),
    LateBindingClosure(),
    RemoveNoneGuard(),
)
KINDS_BY_NAME: dict[str, BugKind] = {kind.name: kind for kind in ALL_KINDS}
