"""A small, honest intra-function dataflow: is this value constant, unknown, or from the request?

What separates a grader from a pattern matcher is not flagging ``cur.execute(query)`` when
``query`` was set to a constant two lines above, or when ``col`` was checked against an
allow-list before it was formatted in. This module answers one question about an expression
at the point of a sink, reading the bindings the walk has recorded so far:

- ``SAFE``: built only from literals, module constants, casts (``int``), sanitisers for the
  sink at hand (``shlex.quote`` for a shell, ``escape`` for HTML ...), or names that a guard
  (``if col not in ALLOWED: abort(400)``) has validated;
- ``TAINTED``: derived from the request (``request.args``, a route handler's parameters,
  ``input()``) through assignments, formatting and string methods;
- ``UNKNOWN``: anything else (a helper's parameter, an unknown call's result).

Injection sinks whose danger is the construction itself (SQL, shell, eval) flag anything not
SAFE; sinks that are everywhere in benign code (open, redirect, fetch a URL) flag TAINTED only.
It is deliberately intra-procedural and flow-insensitive about loops.
"""

from __future__ import annotations

from enum import IntEnum
from typing import Literal, cast

import libcst as cst

from graderlib.detectors.base import Detector
from graderlib.detectors.tree import children
from graderlib.detectors.walk import UNDECIDED, Binding, Context, constant_value, slot_key

SinkKind = Literal["sql", "shell", "code", "path", "url", "html", "ldap", "any"]


class Level(IntEnum):
    SAFE = 0
    UNKNOWN = 1
    TAINTED = 2


_CASTS = frozenset(
    {"int", "float", "bool", "len", "abs", "round", "hash", "ord", "id", "uuid.uuid4", "uuid.UUID"}
)
_SANITIZERS: dict[str, frozenset[str]] = {
    "shell": frozenset({"shlex.quote", "pipes.quote", "shlex.join"}),
    "html": frozenset(
        {
            "html.escape",
            "escape",
            "markupsafe.escape",
            "flask.escape",
            "jinja2.escape",
            "bleach.clean",
            "django.utils.html.escape",
            "cgi.escape",
            "werkzeug.utils.escape",
        }
    ),
    "path": frozenset(
        {
            "werkzeug.utils.secure_filename",
            "secure_filename",
            "os.path.basename",
            "werkzeug.utils.safe_join",
            "flask.safe_join",
            "safe_join",
        }
    ),
    "url": frozenset({"flask.url_for", "url_for", "django.urls.reverse", "reverse"}),
    "sql": frozenset(),
    "ldap": frozenset(
        {
            "ldap.filter.escape_filter_chars",
            "ldap.dn.escape_dn_chars",
            "ldap3.utils.conv.escape_filter_chars",
            "ldap3.utils.dn.escape_rdn",
            "escape_filter_chars",
            "escape_dn_chars",
            "escape_rdn",
        }
    ),
    "code": frozenset({"ast.literal_eval"}),
    "any": frozenset(),
}
# Calls whose result carries the taint of their arguments or receiver.
_PROPAGATORS = frozenset(
    {
        "str",
        "repr",
        "format",
        "os.path.join",
        "os.path.abspath",
        "os.path.normpath",
        "os.path.realpath",
        "os.path.expanduser",
        "posixpath.join",
        "pathlib.Path",
        "Path",
        "urllib.parse.urljoin",
        "urljoin",
        "urllib.parse.unquote",
        "urllib.parse.unquote_plus",
        "urllib.parse.unquote_to_bytes",
        "urllib.parse.parse_qs",
        "urllib.parse.parse_qsl",
        "unquote",
        "unquote_plus",
        "parse_qs",
        "parse_qsl",
        "bytes",
        "list",
        "tuple",
        "dict",
        "sorted",
        "reversed",
        "base64.b64decode",
        "json.loads",
        "json.dumps",
    }
)
_STRING_METHODS = frozenset(
    {
        "strip",
        "lstrip",
        "rstrip",
        "lower",
        "upper",
        "title",
        "capitalize",
        "casefold",
        "replace",
        "encode",
        "decode",
        "split",
        "rsplit",
        "format",
        "join",
        "get",
        "getlist",
        "pop",
        "read",
        "removeprefix",
        "removesuffix",
        "ljust",
        "rjust",
        "zfill",
        "splitlines",
        "partition",
        "__getitem__",
    }
)
# String methods whose result is a bool or a number, never the text itself.
_TESTS = frozenset(
    {
        "startswith",
        "endswith",
        "isdigit",
        "isalnum",
        "isalpha",
        "isnumeric",
        "isdecimal",
        "isidentifier",
        "islower",
        "isupper",
        "isspace",
        "count",
        "find",
        "rfind",
        "index",
        "rindex",
    }
)
_REQUEST_ROOTS = frozenset({"request", "req", "flask.request", "bottle.request"})
_TAINT_CALLS = frozenset({"input", "raw_input", "sys.stdin.read", "sys.stdin.readline"})
_MAX_DEPTH = 12


def classify(expr: cst.BaseExpression | None, ctx: Context, sink: SinkKind = "any") -> Level:
    """How trustworthy ``expr`` is at the current point of the walk, for a sink of ``sink``."""
    return _Classifier(ctx, sink).expr(expr, 0)


def is_formatted(expr: cst.BaseExpression, ctx: Context) -> bool:
    """Built by ``%``, ``+``, ``.format`` or an f-string, directly or via a local variable."""
    if _formatting(expr):
        return True
    if isinstance(expr, cst.Name):
        found = ctx.lookup(expr.value)
        if found is not None:
            for binding in ctx.reaching(found[1]):
                if binding.kind == "aug" and binding.value is not None:
                    return True
                built = binding.value is not None and _formatting(binding.value)
                if binding.kind == "assign" and built:
                    return True
    return False


def _formatting(expr: cst.BaseExpression) -> bool:
    if isinstance(expr, cst.FormattedString):
        return any(isinstance(p, cst.FormattedStringExpression) for p in expr.parts)
    if isinstance(expr, cst.BinaryOperation):
        return isinstance(expr.operator, cst.Add | cst.Modulo)
    if isinstance(expr, cst.ConcatenatedString):
        return _formatting(expr.left) or _formatting(expr.right)
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute):
        return expr.func.attr.value in {"format", "join"}
    return False


def string_parts(expr: cst.BaseExpression) -> list[str]:
    """The literal text inside a string expression (f-string parts, both sides of ``+`` ...)."""
    if isinstance(expr, cst.SimpleString):
        try:
            value = expr.evaluated_value
        except Exception:
            return []
        return [value] if isinstance(value, str) else [value.decode("latin-1")]
    if isinstance(expr, cst.FormattedString):
        return [p.value for p in expr.parts if isinstance(p, cst.FormattedStringText)]
    if isinstance(expr, cst.ConcatenatedString):
        return string_parts(expr.left) + string_parts(expr.right)
    if isinstance(expr, cst.BinaryOperation):
        return string_parts(expr.left) + string_parts(expr.right)
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute):
        return string_parts(expr.func.value)
    return []


def literal_text(expr: cst.BaseExpression, ctx: Context) -> str:
    """The literal text of ``expr`` or of the latest formatted value of the local it names."""
    if isinstance(expr, cst.Name):
        found = ctx.lookup(expr.value)
        if found is not None:
            texts = []
            for binding in found[1]:
                if binding.value is not None and binding.kind in {"assign", "aug"}:
                    texts.extend(string_parts(binding.value))
            return " ".join(texts)
    return " ".join(string_parts(expr))


def request_rooted(expr: cst.BaseExpression, ctx: Context) -> bool:
    """``request.args["x"]``, ``self.request.GET`` and friends."""
    node: cst.CSTNode = expr
    while True:
        if isinstance(node, cst.Attribute):
            if node.attr.value == "request" and isinstance(node.value, cst.Name):
                return node.value.value == "self"
            node = node.value
        elif isinstance(node, cst.Subscript):
            node = node.value
        elif isinstance(node, cst.Call):
            node = node.func
        else:
            break
    if isinstance(node, cst.Name):
        return (ctx.qualname(node) or node.value) in _REQUEST_ROOTS and node is not expr
    return False


class _Classifier:
    def __init__(self, ctx: Context, sink: SinkKind) -> None:
        self.ctx = ctx
        self.sink = sink
        self.sanitizers = _SANITIZERS[sink]
        self.visiting: set[int] = set()

    def expr(self, node: cst.CSTNode | None, depth: int) -> Level:
        if node is None:
            return Level.SAFE
        if depth > _MAX_DEPTH:
            return Level.UNKNOWN
        depth += 1
        if isinstance(node, cst.SimpleString | cst.Integer | cst.Float | cst.Imaginary):
            return Level.SAFE
        if isinstance(node, cst.Ellipsis | cst.Comparison):
            return Level.SAFE
        if isinstance(node, cst.FormattedString):
            return self.max(
                (p.expression for p in node.parts if isinstance(p, cst.FormattedStringExpression)),
                depth,
            )
        if isinstance(node, cst.ConcatenatedString):
            return self.max((node.left, node.right), depth)
        if isinstance(node, cst.BinaryOperation):
            return self.max((node.left, node.right), depth)
        if isinstance(node, cst.BooleanOperation):
            return self.max((node.left, node.right), depth)
        if isinstance(node, cst.UnaryOperation):
            return self.expr(node.expression, depth)
        if isinstance(node, cst.IfExp):
            decided = constant_value(node.test, self.ctx)
            if decided is not UNDECIDED:
                return self.expr(node.body if decided else node.orelse, depth)
            return self.max((node.body, node.orelse), depth)
        if isinstance(node, cst.Tuple | cst.List | cst.Set):
            return self.max((e.value for e in node.elements), depth)
        if isinstance(node, cst.Dict):
            return self.max(
                (e.value for e in node.elements if isinstance(e, cst.DictElement)), depth
            )
        if isinstance(node, cst.GeneratorExp | cst.ListComp | cst.SetComp):
            return self.expr(node.elt, depth)
        if isinstance(node, cst.Await):
            return self.expr(node.expression, depth)
        if isinstance(node, cst.NamedExpr):
            return self.expr(node.value, depth)
        if isinstance(node, cst.Name):
            return self.name(node, depth)
        if isinstance(node, cst.Attribute):
            return self.attribute(node, depth)
        if isinstance(node, cst.Subscript):
            return self.subscript(node, depth)
        if isinstance(node, cst.Call):
            return self.call(node, depth)
        return Level.UNKNOWN

    def max(self, nodes: object, depth: int) -> Level:
        worst = Level.SAFE
        for node in nodes:  # type: ignore[attr-defined]
            worst = max(worst, self.expr(node, depth))
            if worst is Level.TAINTED:
                break
        return worst

    def name(self, node: cst.Name, depth: int) -> Level:
        if node.value in {"True", "False", "None"}:
            return Level.SAFE
        if node.value in _REQUEST_ROOTS:
            return Level.TAINTED
        found = self.ctx.lookup(node.value)
        if found is None:
            return Level.UNKNOWN
        scope, bindings = found
        if self.sink == "url":
            bindings = [
                b for b in bindings if not (b.kind == "validated" and _scheme_only(b.value))
            ]
        elif self.sink == "path":
            bindings = [
                b
                for b in bindings
                if not (b.kind == "validated" and _weak_path_check(b.value, bindings, self.ctx))
            ]
        reaching = self.ctx.reaching(bindings) if scope is self.ctx.scopes[-1] else bindings
        if scope.kind == "module" and scope is not self.ctx.scopes[-1]:
            reaching = bindings[-1:]  # a module global read from a function: its last value
        param_level = Level.UNKNOWN
        if scope.is_route or request_like_name(node.value):
            param_level = Level.TAINTED
        if self.ctx.param_level is not None and scope is self.ctx.function:
            param_level = Level(self.ctx.param_level)  # summarising this function
        if not reaching:
            return param_level if node.value in scope.params else Level.UNKNOWN
        worst = Level.SAFE
        for binding in reaching:
            worst = max(worst, self.binding(binding, node.value, scope.params, depth))
        if node.value in scope.params and not self._dominated(reaching):
            worst = max(worst, param_level)
        return worst

    def _dominated(self, reaching: list[Binding]) -> bool:
        here = tuple(self.ctx.blocks)
        last = reaching[-1]
        return here[: len(last.blocks)] == last.blocks

    def binding(self, binding: Binding, name: str, params: frozenset[str], depth: int) -> Level:
        if binding.kind == "validated":
            return Level.SAFE
        if binding.kind in {"opaque", "import", "with"} or binding.value is None:
            return Level.UNKNOWN
        key = id(binding)
        if key in self.visiting:
            return Level.SAFE  # a cycle adds nothing new
        self.visiting.add(key)
        try:
            return self.expr(binding.value, depth)
        finally:
            self.visiting.discard(key)

    def attribute(self, node: cst.Attribute, depth: int) -> Level:
        if request_rooted(node, self.ctx):
            return Level.TAINTED
        if node.attr.value.isupper():
            return Level.SAFE  # settings.TABLE_NAME, self.COLUMNS: constants by convention
        if node.attr.value == "name" and self.sink == "path":
            return Level.SAFE  # Path(x).name drops every directory component
        base = self.expr(node.value, depth)
        return Level.UNKNOWN if base is Level.SAFE else base

    def subscript(self, node: cst.Subscript, depth: int) -> Level:
        if request_rooted(node, self.ctx):
            return Level.TAINTED
        if isinstance(node.value, cst.Name):
            slot = self._slot(node, node.value, depth)
            if slot is not None:
                return slot
        if isinstance(node.value, cst.Name):
            qual = self.ctx.qualname(node.value) or ""
            if qual in {"sys.argv", "os.environ"}:
                return Level.TAINTED if qual == "sys.argv" else Level.UNKNOWN
            if self._constant_container(node.value):
                return Level.SAFE  # ALLOWED_COLUMNS[key]: an allow-list lookup
        base = self.expr(node.value, depth)
        return Level.UNKNOWN if base is Level.SAFE else base

    def _slot(self, node: cst.Subscript, name: cst.Name, depth: int) -> Level | None:
        """``x[1]`` of a local list/tuple/dict literal, after constant-key writes: that slot."""
        key = slot_key(node, self.ctx)
        found = self.ctx.lookup(name.value) if key is not UNDECIDED else None
        if found is None or not found[1] or found[0] is not self.ctx.scope:
            return None
        for binding in self.ctx.reaching(found[1]):
            if binding.kind == "slot":
                if binding.key == key:
                    return self.expr(binding.value, depth)
                continue
            element = _literal_slot(binding.value, key) if binding.kind == "assign" else None
            return None if element is None else self.expr(element, depth)
        return None

    def _constant_container(self, name: cst.Name) -> bool:
        found = self.ctx.lookup(name.value)
        if found is None or not found[1]:
            return False
        values = [b.value for b in found[1]]
        return all(
            isinstance(v, cst.Dict | cst.List | cst.Tuple | cst.Set)
            and self.expr(v, _MAX_DEPTH - 2) is Level.SAFE
            for v in values
        )

    def call(self, node: cst.Call, depth: int) -> Level:
        callee = self.ctx.callee(node)
        short = callee.rsplit(".", 1)[-1]
        if callee in _CASTS or short == "uuid4":
            return Level.SAFE
        if isinstance(node.func, cst.Attribute) and node.func.attr.value in _TESTS:
            return Level.SAFE  # a bool or a count says nothing an attacker chose
        bare = "." not in callee  # an unimported helper named like a sanitiser: trust the name
        if callee in self.sanitizers or (bare and short in {_short(s) for s in self.sanitizers}):
            return Level.SAFE
        if callee in _TAINT_CALLS or request_rooted(node, self.ctx) or _tornado_argument(node):
            return Level.TAINTED
        if isinstance(node.func, cst.Attribute):
            method = node.func.attr.value
            receiver = node.func.value
            if (
                method == "get"
                and isinstance(receiver, cst.Name)
                and self._constant_container(receiver)
            ):
                return self.max((a.value for a in node.args[1:]), depth)  # ALLOWED.get(k, d)
            if method in _STRING_METHODS or method.startswith("get"):
                return self.max([receiver, *(a.value for a in node.args)], depth)
        if callee in _PROPAGATORS or short in {"join", "format"}:
            return self.max((a.value for a in node.args), depth)
        summary = self._summary(node, callee)
        if summary is not None:
            base, through = summary
            arguments = self.max((a.value for a in node.args), depth) if node.args else Level.SAFE
            return max(base, min(arguments, through))
        return Level.UNKNOWN  # an unknown function may validate, transform or fetch anything

    def _summary(self, node: cst.Call, callee: str) -> tuple[Level, Level] | None:
        """A same-file function's return: (with SAFE arguments, with TAINTED arguments)."""
        function = self.ctx.functions.get(callee) if isinstance(node.func, cst.Name) else None
        if function is None:
            return None
        found = self.ctx.lookup(callee)
        if found is not None and found[0] is not self.ctx.module_scope:
            return None  # shadowed by a local
        return (
            summarise(self.ctx, function, self.sink, Level.SAFE),
            summarise(self.ctx, function, self.sink, Level.TAINTED),
        )


_TORNADO_SOURCES = frozenset(
    {
        "get_argument",
        "get_arguments",
        "get_query_argument",
        "get_query_arguments",
        "get_body_argument",
        "get_body_arguments",
        "get_cookie",
        "get_secure_cookie",
    }
)


def _tornado_argument(call: cst.Call) -> bool:
    """``self.get_argument("q")`` in a tornado RequestHandler."""
    func = call.func
    return (
        isinstance(func, cst.Attribute)
        and func.attr.value in _TORNADO_SOURCES
        and isinstance(func.value, cst.Name)
        and func.value.value == "self"
    )


def _short(dotted: str) -> str:
    return dotted.rsplit(".", 1)[-1]


def request_like_name(name: str) -> bool:
    """A parameter named like request data (``query``, ``form``, ``headers``, ``environ``)."""
    from graderlib.detectors.names import words

    return bool(set(words(name)) & _REQUEST_WORDS)


_REQUEST_WORDS = frozenset(
    {
        "query",
        "args",
        "params",
        "form",
        "headers",
        "cookies",
        "payload",
        "qs",
        "querystring",
        "environ",
        "request",
        "req",
        "body",
        "json",
        "input",
    }
)


def _scheme_only(test: cst.CSTNode | None) -> bool:
    """A check of the URL scheme alone (``u.startswith("https://")``): no host is confined."""
    if test is None:
        return False
    from graderlib.detectors.names import identifiers

    names = set(identifiers(test))
    if names & {"netloc", "hostname", "host", "allowed", "ALLOWED_HOSTS"} or any(
        "allow" in n.lower() or "host" in n.lower() for n in names
    ):
        return False
    if "scheme" in names:
        return True
    texts = [t for t in string_parts_deep(test) if t]
    return "startswith" in names and bool(texts) and all(t.startswith("http") for t in texts)


_PATH_CHECKS = frozenset(
    {"isabs", "commonpath", "is_relative_to", "relative_to", "secure_filename"}
)
_NORMALISERS = frozenset(
    {"normpath", "realpath", "abspath", "resolve", "basename", "normalize", "normalise"}
)


def _weak_path_check(test: cst.CSTNode | None, bindings: list[Binding], ctx: Context) -> bool:
    """A check that does not confine a path: ``'..' in p`` alone (an absolute path passes), or
    ``p.startswith(BASE)`` on a path that was never normalised (``BASE/../x`` passes)."""
    if test is None:
        return False
    from graderlib.detectors.names import identifiers

    names = set(identifiers(test))
    if names & _PATH_CHECKS:
        return False
    if "startswith" in names:
        made = [b.value for b in bindings if b.kind == "assign" and isinstance(b.value, cst.Call)]
        return not any(ctx.callee(v).rsplit(".", 1)[-1] in _NORMALISERS for v in made)
    texts = string_parts_deep(test)
    return bool(texts) and all(".." in t for t in texts)


def string_parts_deep(node: cst.CSTNode) -> list[str]:
    found: list[str] = []
    stack: list[cst.CSTNode] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.SimpleString):
            found.extend(string_parts(current))
        else:
            stack.extend(children(current))
    return found


def _literal_slot(value: cst.BaseExpression | None, key: object) -> cst.BaseExpression | None:
    """The element at constant ``key`` of a list/tuple/dict literal, or None."""
    if isinstance(value, cst.List | cst.Tuple) and isinstance(key, int):
        elements = value.elements
        if any(isinstance(e, cst.StarredElement) for e in elements):
            return None
        if -len(elements) <= key < len(elements):
            return elements[key].value
        return None
    if isinstance(value, cst.Dict) and isinstance(key, str):
        for element in value.elements:
            if not isinstance(element, cst.DictElement):
                return None
            if isinstance(element.key, cst.SimpleString) and element.key.evaluated_value == key:
                return element.value
    return None


_IN_PROGRESS = -1
_MAX_SUMMARY_DEPTH = 4


def summarise(ctx: Context, function: cst.FunctionDef, sink: SinkKind, params: Level) -> Level:
    """The level of what a same-file function returns when its parameters have ``params``.

    Summarised once per (function, sink, parameter level) by walking the function alone with
    the module's imports and globals: ``def source(): return request.args["p"]`` is TAINTED,
    ``def clean(x): return shlex.quote(x)`` is SAFE for a shell, and ``def norm(x): return
    os.path.normpath(x)`` passes its argument's taint through. Recursion is UNKNOWN.
    """
    key = (function.name.value, sink, int(params))
    cached = ctx.summaries.get(key)
    if cached == _IN_PROGRESS or (cached is None and ctx.summary_depth >= _MAX_SUMMARY_DEPTH):
        return Level.UNKNOWN  # recursion, or helpers calling helpers too deep to follow
    if cached is not None:
        return Level(cached)
    ctx.summaries[key] = _IN_PROGRESS
    sub = Context(ctx.module, (_Returns,))
    sub.imports = dict(ctx.imports)
    sub.functions = ctx.functions
    sub.summaries = ctx.summaries
    sub.module_scope.bindings = {k: list(v) for k, v in ctx.module_scope.bindings.items()}
    sub.summarised = function
    sub.summary_depth = ctx.summary_depth + 1
    sub.param_level = int(params)
    sub.summary_sink = sink
    sub.run_function(function)
    level = Level(max(sub.returned, default=Level.SAFE))
    ctx.summaries[key] = int(level)
    return level


class _Returns(Detector):
    """Not a detector: records the level of each ``return`` while a function is summarised."""

    def visit_Return(self, node: cst.Return, ctx: Context) -> None:
        if ctx.function is None or ctx.function.node is not ctx.summarised:
            return  # a nested function's return is not this function's
        sink = cast(SinkKind, ctx.summary_sink)
        level = classify(node.value, ctx, sink) if node.value is not None else Level.SAFE
        ctx.returned.append(int(level))
