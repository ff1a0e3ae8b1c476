"""Python correctness traps: shared defaults, identity with literals, late binding, mutation
while iterating."""

from __future__ import annotations

import libcst as cst

from graderlib.detectors.base import Detector, Invalid
from graderlib.detectors.calls import short_name
from graderlib.detectors.tree import children, target_names
from graderlib.detectors.walk import Context
from graderlib.taxonomy import Severity

_MUTABLE_FACTORIES = frozenset(
    {
        "list",
        "dict",
        "set",
        "bytearray",
        "collections.defaultdict",
        "collections.OrderedDict",
        "collections.deque",
        "collections.Counter",
    }
)


class MutableDefault(Detector):
    """A list, dict or set literal (or constructor call) is a parameter default.

    The default is created once, when ``def`` runs, and shared by every call, so one call's
    appends show up in the next. ``None`` plus ``if x is None: x = []`` creates one per call.
    """

    id = "GL504"
    category = "mutable-default-argument"
    cwe = 1188
    severity = Severity.MEDIUM
    message = "a mutable default is created once and shared by every call; default to None"
    VALID = (
        "def add(item, items=None):\n    items = [] if items is None else items\n",
        "def f(names=()):\n    pass\n",
    )
    INVALID = (
        Invalid("def add(item, items=[]):\n    items.append(item)\n", line=1),
        Invalid("def f(seen=set()):\n    pass\n", line=1),
        Invalid("def f(*, cache={}):\n    pass\n", line=1),
    )

    def visit_Param(self, node: cst.Param, ctx: Context) -> None:
        default = node.default
        mutable = isinstance(
            default, cst.List | cst.Dict | cst.Set | cst.ListComp | cst.DictComp | cst.SetComp
        )
        if isinstance(default, cst.Call):
            mutable = ctx.callee(default) in _MUTABLE_FACTORIES
        if mutable:
            self.report(ctx, node)


_LITERALS = (
    cst.SimpleString,
    cst.ConcatenatedString,
    cst.FormattedString,
    cst.Integer,
    cst.Float,
    cst.Imaginary,
    cst.List,
    cst.Dict,
    cst.Set,
    cst.Tuple,
    cst.ListComp,
    cst.DictComp,
    cst.SetComp,
)


class IdentityWithLiteral(Detector):
    """``is``/``is not`` compares a value with a str, bytes or number literal.

    Identity of equal literals depends on interning and CPython's caches, so ``x is 'a'``
    can be False for an equal string (CPython warns with a SyntaxWarning). ``==`` compares
    values; ``is`` stays right for ``None``, ``True`` and ``False``.
    """

    id = "GL505"
    category = "identity-comparison"
    cwe = 595
    severity = Severity.MEDIUM
    message = "`is` compares identity, not value; use == with a literal"
    VALID = (
        "def f(x):\n    return x is None\n",
        "def f(x):\n    return x == 'admin'\n",
    )
    INVALID = (
        Invalid("def f(role):\n    return role is 'admin'\n", line=2),
        Invalid("def f(n):\n    return n is not 0\n", line=2),
    )

    def visit_Comparison(self, node: cst.Comparison, ctx: Context) -> None:
        left: cst.BaseExpression = node.left
        for target in node.comparisons:
            literal = isinstance(left, _LITERALS) or isinstance(target.comparator, _LITERALS)
            if isinstance(target.operator, cst.Is | cst.IsNot) and literal:
                self.report(ctx, node)
                return
            left = target.comparator


# Calls that use a callable before the loop moves on: a lambda passed to them can't go stale.
_IMMEDIATE = frozenset(
    {
        "sorted",
        "sort",
        "min",
        "max",
        "map",
        "filter",
        "reduce",
        "functools.reduce",
        "any",
        "all",
        "sum",
        "groupby",
        "itertools.groupby",
        "apply",
        "sub",
        "re.sub",
        "next",
        "list",
        "tuple",
        "dict",
        "set",
        "nlargest",
        "nsmallest",
        "transform",
        "agg",
    }
)
_LOOPS = (cst.For, cst.While, cst.CompFor)


def _loop_variables(loop: cst.CSTNode) -> set[str]:
    if isinstance(loop, cst.For | cst.CompFor):
        return set(target_names(loop.target))
    return set()


def _free_names(body: cst.CSTNode, bound: set[str]) -> set[str]:
    names: set[str] = set()
    stack: list[cst.CSTNode] = [body]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Name):
            names.add(node.value)
        elif isinstance(node, cst.Attribute):
            stack.append(node.value)  # x.attr reads x, not a variable named attr
        elif isinstance(node, cst.Arg):
            stack.append(node.value)  # f(key=v): key is not a variable
        else:
            stack.extend(children(node))
    return names - bound


def _params(parameters: cst.Parameters) -> set[str]:
    params = [*parameters.posonly_params, *parameters.params, *parameters.kwonly_params]
    for star in (parameters.star_arg, parameters.star_kwarg):
        if isinstance(star, cst.Param):
            params.append(star)
    return {p.name.value for p in params}


class LateBindingClosure(Detector):
    """A lambda or nested def made in a loop reads the loop variable.

    Closures look the variable up when called, after the loop has moved on, so every one
    sees the last value. A default argument (``lambda i=i: ...``) or ``functools.partial``
    binds the current value.
    """

    id = "GL506"
    category = "late-binding-closure"
    cwe = 1109
    severity = Severity.MEDIUM
    message = "a closure made in a loop reads the loop variable when called, not when made"
    VALID = (
        "handlers = []\nfor i in range(3):\n    handlers.append(lambda i=i: i)\n",
        "for row in rows:\n    best = max(row, key=lambda c: c[0])\n",
    )
    INVALID = (
        Invalid("handlers = []\nfor i in range(3):\n    handlers.append(lambda: i)\n", line=3),
        Invalid("callbacks = [lambda: n for n in range(3)]\n", line=1),
        Invalid(
            "def make(buttons):\n    for b in buttons:\n        def click():\n"
            "            return b.name\n        b.on_click = click\n",
            line=3,
        ),
    )

    def visit_Lambda(self, node: cst.Lambda, ctx: Context) -> None:
        parent, grand = ctx.parent(), ctx.parent(2)
        consumed_now = isinstance(grand, cst.Call) and short_name(ctx.callee(grand)) in _IMMEDIATE
        if isinstance(parent, cst.Arg) and consumed_now:
            return
        self._check(node, ctx)

    def visit_FunctionDef(self, node: cst.FunctionDef, ctx: Context) -> None:
        self._check(node, ctx)

    def _check(self, node: cst.FunctionDef | cst.Lambda, ctx: Context) -> None:
        free: set[str] | None = None  # read from the body only once a loop encloses it
        for ancestor in ctx.ancestors():
            if isinstance(ancestor, cst.FunctionDef | cst.Lambda) and ancestor is not node:
                return  # the loop, if any, is in an enclosing function's own scope
            if isinstance(ancestor, cst.ListComp | cst.SetComp | cst.GeneratorExp | cst.DictComp):
                loop_vars = _comprehension_variables(ancestor.for_in)
            elif isinstance(ancestor, cst.For):
                loop_vars = _loop_variables(ancestor)
            else:
                continue
            if free is None:
                free = _free_names(node.body, _params(node.params))
            if free & loop_vars:
                self.report(ctx, node)
                return


def _comprehension_variables(comp: cst.CompFor) -> set[str]:
    names = set(target_names(comp.target))
    if comp.inner_for_in is not None:
        names |= _comprehension_variables(comp.inner_for_in)
    return names


_MUTATORS = frozenset(
    {
        "append",
        "extend",
        "insert",
        "remove",
        "pop",
        "clear",
        "add",
        "discard",
        "update",
        "popitem",
        "setdefault",
    }
)


class MutationWhileIterating(Detector):
    """A list, dict or set is changed (append, remove, del, pop ...) inside a loop over itself.

    Lists skip or repeat elements and dicts/sets raise ``RuntimeError`` mid-iteration.
    Iterating over a copy (``list(items)``, ``dict(d)``) or building a new collection fixes
    it; a ``break`` right after the change ends the loop before harm is done.
    """

    id = "GL507"
    category = "mutation-while-iterating"
    cwe = 1095
    severity = Severity.MEDIUM
    message = "a collection is modified inside a loop over itself; iterate over a copy"
    VALID = (
        "for x in list(items):\n    if x < 0:\n        items.remove(x)\n",
        "for x in items:\n    if x == target:\n        items.remove(x)\n        break\n",
        "for k in d:\n    d[k] = 0\n",
    )
    INVALID = (
        Invalid("for x in items:\n    if x < 0:\n        items.remove(x)\n", line=1),
        Invalid("for k, v in cache.items():\n    if v is None:\n        del cache[k]\n", line=1),
        Invalid(
            "def f(self):\n    for s in self.sessions:\n        self.sessions.discard(s)\n", line=2
        ),
    )

    def visit_For(self, node: cst.For, ctx: Context) -> None:
        container = _iterated(node.iter)
        if container is None:
            return
        code = ctx.module.code_for_node(container)
        for statement in _mutations(node.body, code, ctx.module):
            self.report(ctx, statement)
            return


def _iterated(expr: cst.BaseExpression) -> cst.BaseExpression | None:
    """``items`` for ``items``, ``self.items`` or ``items.keys()/values()/items()``."""
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute):
        if expr.func.attr.value in {"keys", "values", "items"} and not expr.args:
            return _iterated(expr.func.value)
        return None
    if isinstance(expr, cst.Name | cst.Attribute):
        return expr
    return None


def _mutations(body: cst.BaseSuite, container: str, module: cst.Module) -> list[cst.CSTNode]:
    found: list[cst.CSTNode] = []
    lines = body.body if isinstance(body, cst.IndentedBlock) else [body]
    exits = bool(lines) and _ends_loop(lines[-1])
    for line in lines:
        if isinstance(line, cst.SimpleStatementLine | cst.SimpleStatementSuite):
            if exits:
                continue
            for small in line.body:
                if _mutates(small, container, module):
                    found.append(line)
                    break
        elif isinstance(line, cst.FunctionDef | cst.ClassDef):
            continue
        else:
            for suite in _suites(line):
                found.extend(_mutations(suite, container, module))
    return found


def _suites(statement: cst.CSTNode) -> list[cst.BaseSuite]:
    suites: list[cst.BaseSuite] = []
    for child in children(statement):
        if isinstance(child, cst.BaseSuite):
            suites.append(child)
        elif isinstance(child, cst.If | cst.Else | cst.ExceptHandler | cst.Finally):
            suites.extend(_suites(child))
    return suites


def _ends_loop(line: cst.CSTNode) -> bool:
    if isinstance(line, cst.SimpleStatementLine | cst.SimpleStatementSuite):
        return any(isinstance(s, cst.Break | cst.Return | cst.Raise) for s in line.body)
    return False


def _mutates(small: cst.BaseSmallStatement, container: str, module: cst.Module) -> bool:
    if isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
        func = small.value.func
        if isinstance(func, cst.Attribute) and func.attr.value in _MUTATORS:
            return module.code_for_node(func.value) == container
    if isinstance(small, cst.Del):
        targets = small.target.elements if isinstance(small.target, cst.Tuple) else None
        values = [e.value for e in targets] if targets else [small.target]
        return any(
            isinstance(v, cst.Subscript) and module.code_for_node(v.value) == container
            for v in values
        )
    return False
