"""One walk over one parse, shared by every detector.

libcst's own visitor rebuilds every node it passes (about 20 ms on a 300-line file) and its
scope/qualified-name metadata costs far more; a detector run must stay well under a third of
one bandit CLI run. So the tree is walked here over the nodes' dataclass fields, skipping
whitespace, in source order, and each detector is called only for the node types it declared.
While walking, the context keeps what detectors share: the ancestor stack, the enclosing
function/class names (for fingerprints), an import table (for ``subprocess.run``-style names)
and the intra-function bindings the dataflow in :mod:`graderlib.detectors.dataflow` reads.
Positions are not computed here at all; see :mod:`graderlib.detectors.positions`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import libcst as cst

from graderlib.detectors.base import Detector, Hit
from graderlib.detectors.guards import guard_branches, negative_guard_names
from graderlib.detectors.tree import children, target_names
from graderlib.locate import ANCHOR_TYPES
from graderlib.taxonomy import Severity

ROUTE_DECORATOR_ATTRS = frozenset(
    {"route", "get", "post", "put", "delete", "patch", "head", "options", "api_route", "websocket"}
)


# What the walk must do on entering/leaving a node, by concrete node type (0: nothing).
_TRACKED = (
    cst.FunctionDef,
    cst.ClassDef,
    cst.IndentedBlock,
    cst.SimpleStatementSuite,
    cst.If,
    cst.While,
    cst.For,
    cst.With,
    cst.Import,
    cst.ImportFrom,
    cst.Assign,
    cst.AnnAssign,
    cst.AugAssign,
    cst.NamedExpr,
)
_TRACKED_TYPES = frozenset(_TRACKED)


BindingKind = Literal[
    "assign", "aug", "for", "with", "param", "validated", "opaque", "import", "slot"
]


@dataclass(frozen=True, slots=True)
class Binding:
    """A name bound in a scope: by which statement, to what, inside which blocks."""

    kind: BindingKind
    value: cst.BaseExpression | None
    blocks: tuple[int, ...]
    order: int
    #: the statement that made the binding and its module-level statement (for clearances)
    anchor: cst.CSTNode | None = None
    top: cst.CSTNode | None = None
    #: for a ``slot`` binding (``x[0] = v``, ``d["k"] = v``): the constant index or key
    key: object = None


@dataclass(slots=True)
class Scope:
    kind: Literal["module", "class", "function"]
    name: str
    node: cst.CSTNode
    qualname: str
    is_route: bool = False
    params: frozenset[str] = frozenset()
    bindings: dict[str, list[Binding]] = field(default_factory=dict)

    def bind(self, name: str, binding: Binding) -> None:
        self.bindings.setdefault(name, []).append(binding)


class Context:
    """What the walk knows at the node being visited; handed to every visit method."""

    def __init__(self, module: cst.Module, detectors: Sequence[type[Detector]]) -> None:
        self.module = module
        self.stack: list[cst.CSTNode] = []
        self.blocks: list[int] = []
        self.imports: dict[str, str] = {}
        self._callees: dict[int, tuple[cst.Call, str]] = {}
        self.module_scope = Scope("module", "", module, "")
        self.scopes: list[Scope] = [self.module_scope]
        self.hits: list[Hit] = []
        #: sinks a detector examined and judged safe (see :mod:`graderlib.detectors.consensus`)
        self.clearances: list[Hit] = []
        self._order = 0
        self._pending_guards: dict[int, tuple[frozenset[str], cst.BaseExpression]] = {}
        #: module-level functions by name, for same-file summaries (see ``dataflow``)
        self.functions: dict[str, cst.FunctionDef] = {
            s.name.value: s for s in module.body if isinstance(s, cst.FunctionDef)
        }
        #: (function, sink, parameter level) -> the level of what it returns
        self.summaries: dict[tuple[str, str, int], int] = {}
        #: while a function is summarised: its node, its parameters' level (an int Level),
        #: the sink kind asked about, and the levels of its returns so far
        self.summarised: cst.FunctionDef | None = None
        self.summary_depth = 0
        self.param_level: int | None = None
        self.summary_sink = "any"
        self.returned: list[int] = []
        self._instances = {d: d() for d in detectors}
        self._dispatch: dict[type[cst.CSTNode], list[tuple[Detector, object]]] = {}
        for detector_type, instance in self._instances.items():
            for node_type, method in detector_type.visitors.items():
                self._dispatch.setdefault(node_type, []).append((instance, method))

    # ------------------------------------------------------------- queries for detectors

    @property
    def scope(self) -> Scope:
        return self.scopes[-1]

    @property
    def function(self) -> Scope | None:
        """The innermost enclosing function scope, if any."""
        for scope in reversed(self.scopes):
            if scope.kind == "function":
                return scope
        return None

    def parent(self, depth: int = 1) -> cst.CSTNode | None:
        index = len(self.stack) - 1 - depth
        return self.stack[index] if index >= 0 else None

    def ancestors(self) -> Iterable[cst.CSTNode]:
        """Enclosing nodes, innermost first (the current node excluded)."""
        return reversed(self.stack[:-1])

    def qualname(self, expr: cst.CSTNode | None) -> str | None:
        """``subprocess.run`` for ``sp.run`` after ``import subprocess as sp``, else None."""
        if isinstance(expr, cst.Name):
            return self.imports.get(expr.value, expr.value)
        if isinstance(expr, cst.Attribute):
            base = self.qualname(expr.value)
            return f"{base}.{expr.attr.value}" if base is not None else None
        if isinstance(expr, cst.Call):
            base = self.qualname(expr.func)
            return f"{base}()" if base is not None else None
        return None

    def callee(self, call: cst.Call) -> str:
        """The dotted name a call resolves to; memoised per call node, since most detectors
        ask it of every call (the memo is dropped whenever an import changes the table)."""
        known = self._callees.get(id(call))
        if known is None or known[0] is not call:
            known = self._callees[id(call)] = (call, self.qualname(call.func) or "")
        return known[1]

    def lookup(self, name: str) -> tuple[Scope, list[Binding]] | None:
        """The scope that binds ``name`` (innermost function, then module) and its bindings."""
        for scope in reversed(self.scopes):
            if scope.kind == "class":
                continue
            if name in scope.bindings or name in scope.params:
                return scope, scope.bindings.get(name, [])
        return None

    def reaching(self, bindings: list[Binding]) -> list[Binding]:
        """Bindings that may reach the current node: latest first, up to one that dominates it.

        A binding dominates when every block it sits in also encloses the current node: then
        nothing earlier can reach. Bindings in a sibling branch don't stop the search, so
        ``if a: q = SAFE else: q = f"...{x}"`` keeps both candidates.
        """
        here = tuple(self.blocks)
        found: list[Binding] = []
        for binding in reversed(bindings):
            found.append(binding)
            if binding.kind != "slot" and here[: len(binding.blocks)] == binding.blocks:
                break
        return found

    # ------------------------------------------------------------- reporting

    def report(
        self,
        detector: type[Detector],
        node: cst.CSTNode,
        message: str,
        severity: Severity | None = None,
        cwe: int | None = None,
    ) -> None:
        anchor, top = self._anchor(node)
        scope = self.scope_path()
        self.hits.append(Hit(detector, node, anchor, top, scope, message, severity, cwe))

    def clear(
        self,
        detector: type[Detector],
        node: cst.CSTNode,
        reason: str,
        value: cst.BaseExpression | None = None,
    ) -> None:
        """Record that ``detector`` examined the sink at ``node`` and its dataflow found it safe.

        When the sink's argument is a local (``cur.execute(q, args)``), the statements that
        built that local are cleared too: another tool may have flagged the string there.
        """
        anchor, top = self._anchor(node)
        scope = self.scope_path()
        self.clearances.append(Hit(detector, node, anchor, top, scope, reason))
        self._clear_builders(detector, value, reason)

    def _clear_builders(
        self, detector: type[Detector], value: cst.BaseExpression | None, reason: str
    ) -> None:
        scope = self.scope_path()
        if isinstance(value, cst.Name):
            found = self.lookup(value.value)
            for binding in self.reaching(found[1]) if found else ():
                if binding.anchor is not None and binding.top is not None:
                    hit = Hit(detector, binding.anchor, binding.anchor, binding.top, scope, reason)
                    self.clearances.append(hit)

    def judge(
        self,
        detector: Detector,
        node: cst.CSTNode,
        unsafe: bool,
        safe_because: str,
        value: cst.BaseExpression | None = None,
    ) -> None:
        """Report the sink at ``node`` when ``unsafe``, else record why it was cleared.

        A reported sink's argument built on other statements (``q = "..." + name`` above
        ``execute(q)``) is one bug: those statements are cleared as its construction, so
        another tool's finding there does not count it twice.
        """
        if unsafe:
            detector.report(self, node)
            self._clear_builders(type(detector), value, "the same value is reported at its sink")
        else:
            self.clear(type(detector), node, safe_because, value)

    def _anchor(self, node: cst.CSTNode) -> tuple[cst.CSTNode, cst.CSTNode]:
        anchor: cst.CSTNode = node
        for ancestor in reversed(self.stack):
            if isinstance(ancestor, ANCHOR_TYPES):
                anchor = ancestor
                break
        top = self.stack[1] if len(self.stack) > 1 else node
        return anchor, top

    def scope_path(self) -> str:
        return ".".join(s.name for s in self.scopes[1:])

    # ------------------------------------------------------------- the walk

    def run(self) -> list[Hit]:
        self._walk(self.module)
        return self.hits

    def run_function(self, node: cst.FunctionDef) -> None:
        """Walk one module-level function alone (how ``dataflow.summarise`` reads a helper)."""
        self._walk(node)

    def _walk(self, node: cst.CSTNode) -> None:
        stack = self.stack
        stack.append(node)
        tracked = type(node) in _TRACKED_TYPES
        entered = self._enter(node) if tracked else False
        handlers = self._dispatch.get(type(node))
        if handlers:
            for instance, method in handlers:
                method(instance, node, self)  # type: ignore[operator]
        skipped: cst.CSTNode | None = None
        if isinstance(node, cst.If | cst.While):
            decided = constant_value(node.test, self)
            if decided is not UNDECIDED:
                # A branch decided by constants: the dead side is not code that runs.
                skipped = node.body if not decided else getattr(node, "orelse", None)
        for child in children(node):
            if child is not skipped:
                self._walk(child)
        if tracked:
            self._leave(node, entered)
        stack.pop()

    def _next_order(self) -> int:
        self._order += 1
        return self._order

    def _binding(self, kind: BindingKind, value: cst.BaseExpression | None) -> Binding:
        if kind in {"assign", "aug"} and len(self.stack) > 1:
            anchor, top = self._anchor(self.stack[-1])
            return Binding(kind, value, tuple(self.blocks), self._next_order(), anchor, top)
        return Binding(kind, value, tuple(self.blocks), self._next_order())

    def _enter(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.FunctionDef):
            self._enter_function(node)
            return True
        if isinstance(node, cst.ClassDef):
            name = node.name.value
            qual = f"{self.scope.qualname}.{name}".lstrip(".")
            self.scopes.append(Scope("class", name, node, qual))
            return True
        if isinstance(node, cst.IndentedBlock | cst.SimpleStatementSuite):
            self.blocks.append(id(node))
            names, test = self._pending_guards.pop(id(node), (frozenset(), None))
            self._validate(names, test)
            return True
        if isinstance(node, cst.If | cst.While):
            names, otherwise = guard_branches(node.test)
            if names:
                self._pending_guards[id(node.body)] = (names, node.test)
            if otherwise and isinstance(node, cst.If) and isinstance(node.orelse, cst.Else):
                self._pending_guards[id(node.orelse.body)] = (otherwise, node.test)
        elif isinstance(node, cst.For):
            for name in target_names(node.target):
                self.scope.bind(name, self._binding("for", node.iter))
        elif isinstance(node, cst.With):
            for item in node.items:
                if item.asname is not None:
                    for name in target_names(item.asname.name):
                        self.scope.bind(name, self._binding("with", item.item))
        elif isinstance(node, cst.Import):
            for alias in node.names:
                dotted = _dotted(alias.name)
                local = alias.asname.name if alias.asname is not None else None
                if isinstance(local, cst.Name):
                    self.imports[local.value] = dotted
                    self._callees.clear()
                else:
                    head = dotted.split(".")[0]
                    self.imports[head] = head
                    self._callees.clear()
        elif isinstance(node, cst.ImportFrom) and not isinstance(node.names, cst.ImportStar):
            base = _dotted(node.module) if node.module is not None else ""
            for alias in node.names:
                name = _dotted(alias.name)
                local_node = alias.asname.name if alias.asname is not None else alias.name
                local_name = local_node.value if isinstance(local_node, cst.Name) else name
                self.imports[local_name] = f"{base}.{name}" if base else name
                self._callees.clear()
        return False

    def _bind_slot(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        """``x[0] = v`` / ``d["k"] = v`` with a constant index: one slot of a local changes."""
        if not (isinstance(target, cst.Subscript) and isinstance(target.value, cst.Name)):
            return
        key = slot_key(target, self)
        if key is UNDECIDED or self.lookup(target.value.value) is None:
            return
        binding = self._binding("slot", value)
        self.scope.bind(target.value.value, _with_key(binding, key))

    def _validate(self, names: frozenset[str], test: cst.BaseExpression | None) -> None:
        """Mark locals a guard checked, and the locals they were parsed from (``urlparse(u)``).

        Only names this scope binds are marked: a guard mentioning a module constant
        (``if key not in ALLOWED``) must not shadow that constant.
        """
        scope = self.scope
        marked: set[str] = set()
        for name in names:
            if scope.kind == "function" and name not in scope.bindings and name not in scope.params:
                continue
            marked.add(name)
            assigned = [b for b in scope.bindings.get(name, []) if b.kind == "assign"]
            if assigned and isinstance(assigned[-1].value, cst.Call):
                for arg in assigned[-1].value.args:
                    if isinstance(arg.value, cst.Name):
                        marked.add(arg.value.value)
        for name in sorted(marked):
            scope.bind(name, self._binding("validated", test))

    def _enter_function(self, node: cst.FunctionDef) -> None:
        params = [
            *node.params.posonly_params,
            *node.params.params,
            *node.params.kwonly_params,
        ]
        for star in (node.params.star_arg, node.params.star_kwarg):
            if isinstance(star, cst.Param):
                params.append(star)
        names = frozenset(p.name.value for p in params)
        qual = f"{self.scope.qualname}.{node.name.value}".lstrip(".")
        self.scope.bind(node.name.value, self._binding("opaque", None))
        scope = Scope(
            "function",
            node.name.value,
            node,
            qual,
            is_route=is_route_handler(node, names) or self._handler_method(node),
            params=names,
        )
        self.scopes.append(scope)

    def _handler_method(self, node: cst.FunctionDef) -> bool:
        """``get``/``post``... of a tornado ``RequestHandler`` (or a class-based view): its
        parameters after ``self`` are the URL's path arguments."""
        owner = self.scope.node
        if not isinstance(owner, cst.ClassDef) or node.name.value not in _HANDLER_VERBS:
            return False
        return any(_dotted(base.value).rsplit(".", 1)[-1] in _HANDLER_BASES for base in owner.bases)

    def _leave(self, node: cst.CSTNode, entered: bool) -> None:
        if entered:
            if isinstance(node, cst.IndentedBlock | cst.SimpleStatementSuite):
                self.blocks.pop()
            else:
                self.scopes.pop()
            return
        if isinstance(node, cst.SimpleStatementLine | cst.SimpleStatementSuite):
            return
        if isinstance(node, cst.Assign):
            for target in node.targets:
                for name in target_names(target.target):
                    self.scope.bind(name, self._binding("assign", node.value))
                self._bind_slot(target.target, node.value)
        elif isinstance(node, cst.AnnAssign) and node.value is not None:
            for name in target_names(node.target):
                self.scope.bind(name, self._binding("assign", node.value))
        elif isinstance(node, cst.AugAssign):
            for name in target_names(node.target):
                self.scope.bind(name, self._binding("aug", node.value))
        elif isinstance(node, cst.NamedExpr):
            for name in target_names(node.target):
                self.scope.bind(name, self._binding("assign", node.value))
        elif isinstance(node, cst.If):
            self._validate(negative_guard_names(node), node.test)


_HANDLER_VERBS = frozenset({"get", "post", "put", "delete", "patch", "head", "options"})
_HANDLER_BASES = frozenset({"RequestHandler", "View", "MethodView", "HTTPMethodView", "APIView"})


def _dotted(node: cst.CSTNode) -> str:
    if isinstance(node, cst.Name):
        return node.value
    if isinstance(node, cst.Attribute):
        return f"{_dotted(node.value)}.{node.attr.value}"
    return ""


def is_route_handler(node: cst.FunctionDef, params: frozenset[str]) -> bool:
    """A web endpoint: its parameters come from the request (Flask, FastAPI, Django views)."""
    for decorator in node.decorators:
        expr = decorator.decorator
        if isinstance(expr, cst.Call):
            expr = expr.func
        if isinstance(expr, cst.Attribute) and expr.attr.value in ROUTE_DECORATOR_ATTRS:
            return True
        if isinstance(expr, cst.Name) and expr.value in {"api_view", "route", "view_config"}:
            return True
    first = node.params.params[0].name.value if node.params.params else ""
    return first == "request" or (first == "self" and "request" in params)


def _with_key(binding: Binding, key: object) -> Binding:
    return Binding(
        binding.kind, binding.value, binding.blocks, binding.order, binding.anchor, binding.top, key
    )


class _Undecided:
    """The value of an expression that constant folding cannot decide."""

    def __repr__(self) -> str:
        return "UNDECIDED"


UNDECIDED: object = _Undecided()
_MAX_FOLD_DEPTH = 6


def constant_value(expr: cst.BaseExpression, ctx: Context, depth: int = 0) -> object:
    """The value of ``expr`` when literals and locals that hold literals decide it.

    ``MODE = "prod"`` then ``if MODE == "dev":`` is False; so is ``if False:``. Anything
    that depends on a call, a parameter or an attribute is UNDECIDED.
    """
    if depth > _MAX_FOLD_DEPTH:
        return UNDECIDED
    if isinstance(expr, cst.SimpleString | cst.Integer | cst.Float):
        try:
            return expr.evaluated_value
        except Exception:
            return UNDECIDED
    if isinstance(expr, cst.Name):
        if expr.value in _NAMED_CONSTANTS:
            return _NAMED_CONSTANTS[expr.value]
        found = ctx.lookup(expr.value)
        if found is None or not found[1] or expr.value in found[0].params:
            return UNDECIDED
        reaching = ctx.reaching(found[1]) if found[0] is ctx.scope else found[1][-1:]
        values = [
            constant_value(b.value, ctx, depth + 1)
            if b.kind == "assign" and b.value is not None
            else UNDECIDED
            for b in reaching
        ]
        first = values[0] if values else UNDECIDED
        same = all(v is not UNDECIDED and v == first and type(v) is type(first) for v in values)
        return first if same else UNDECIDED
    if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.Not):
        inner = constant_value(expr.expression, ctx, depth + 1)
        return UNDECIDED if inner is UNDECIDED else not inner
    if isinstance(expr, cst.BooleanOperation):
        left = constant_value(expr.left, ctx, depth + 1)
        right = constant_value(expr.right, ctx, depth + 1)
        if isinstance(expr.operator, cst.And):
            if left is not UNDECIDED and not left:
                return left
            return UNDECIDED if UNDECIDED in (left, right) else right
        if left is not UNDECIDED and left:
            return left
        return UNDECIDED if UNDECIDED in (left, right) else right
    if isinstance(expr, cst.Comparison) and len(expr.comparisons) == 1:
        left = constant_value(expr.left, ctx, depth + 1)
        right = constant_value(expr.comparisons[0].comparator, ctx, depth + 1)
        operator = type(expr.comparisons[0].operator)
        compare = _COMPARISONS.get(operator)
        if compare is None or UNDECIDED in (left, right):
            return UNDECIDED
        try:
            return compare(left, right)
        except TypeError:
            return UNDECIDED
    return UNDECIDED


_NAMED_CONSTANTS: dict[str, object] = {"True": True, "False": False, "None": None}
_COMPARISONS: dict[type, Callable[[Any, Any], bool]] = {
    cst.Equal: lambda a, b: a == b,
    cst.NotEqual: lambda a, b: a != b,
    cst.LessThan: lambda a, b: a < b,
    cst.GreaterThan: lambda a, b: a > b,
    cst.LessThanEqual: lambda a, b: a <= b,
    cst.GreaterThanEqual: lambda a, b: a >= b,
}


def slot_key(subscript: cst.Subscript, ctx: Context) -> object:
    """The constant index or key of ``x[0]`` / ``d["k"]``; UNDECIDED for a slice or a variable."""
    if len(subscript.slice) != 1 or not isinstance(subscript.slice[0].slice, cst.Index):
        return UNDECIDED
    index = subscript.slice[0].slice.value
    if isinstance(index, cst.UnaryOperation) and isinstance(index.operator, cst.Minus):
        inner = constant_value(index.expression, ctx)
        return -inner if isinstance(inner, int) else UNDECIDED
    value = constant_value(index, ctx)
    return value if isinstance(value, int | str) else UNDECIDED
