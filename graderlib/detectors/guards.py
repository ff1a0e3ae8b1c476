"""Guards: which names an ``if`` validates, for the dataflow to treat as safe.

``if col in ALLOWED:`` makes ``col`` safe inside the body; ``if col not in ALLOWED: abort(400)``
makes it safe after the ``if``. Truthiness checks (``if x:``, ``x is None``, ``len(x) > 0``)
validate nothing. The walk asks these while it goes, so they read only the syntax of the test
and the body, never the walk's own state.
"""

from __future__ import annotations

import libcst as cst

from graderlib.detectors.tree import children, target_names

_EXIT_CALLS = frozenset({"abort", "flask.abort", "sys.exit", "exit", "raise_for_status"})


def _mentions(node: cst.CSTNode, out: set[str]) -> None:
    if isinstance(node, cst.Name):
        out.add(node.value)
        return
    if isinstance(node, cst.Attribute):
        _mentions(node.value, out)  # `parsed.hostname` mentions parsed, not a variable hostname
        return
    for child in children(node):
        _mentions(child, out)


def _is_truthiness(test: cst.BaseExpression) -> bool:
    """``x``, ``not x``, ``x is None``, ``len(x) > n``: checks that validate nothing."""
    if isinstance(test, cst.Name | cst.Attribute | cst.Subscript):
        return True
    if isinstance(test, cst.UnaryOperation):
        return _is_truthiness(test.expression)
    if isinstance(test, cst.Comparison):
        left = test.left
        if (
            isinstance(left, cst.Call)
            and isinstance(left.func, cst.Name)
            and left.func.value == "len"
        ):
            return True
        for target in test.comparisons:
            comparator = target.comparator
            if isinstance(comparator, cst.Name) and comparator.value == "None":
                return True
    if isinstance(test, cst.Call) and isinstance(test.func, cst.Name):
        return test.func.value in {"len", "bool", "isinstance"}
    return False


def _validated_names(test: cst.BaseExpression) -> frozenset[str]:
    if isinstance(test, cst.BooleanOperation):
        return _validated_names(test.left) | _validated_names(test.right)
    if _is_truthiness(test):
        return frozenset()
    names: set[str] = set()
    _mentions(test, names)
    return frozenset(names - {"None", "True", "False", "len", "not"})


def positive_guard_names(test: cst.BaseExpression) -> frozenset[str]:
    """Names checked by ``if col in ALLOWED:`` / ``if is_safe_url(u):``, valid inside the body."""
    if isinstance(test, cst.BooleanOperation):
        if not isinstance(test.operator, cst.And):
            return frozenset()  # `a or b` holding says nothing definite about either
        return positive_guard_names(test.left) | positive_guard_names(test.right)
    if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
        return frozenset()
    if isinstance(test, cst.Comparison) and any(
        isinstance(c.operator, cst.NotIn | cst.IsNot | cst.NotEqual) for c in test.comparisons
    ):
        return frozenset()
    return _validated_names(test)


def guard_branches(test: cst.BaseExpression) -> tuple[frozenset[str], frozenset[str]]:
    """Names valid in the ``if`` body and names valid in its ``else``, after reading polarity.

    ``if not ok(u): ... else: fetch(u)``, ``if ok(u) == False``, ``if ok(u) is not True`` and
    ``if col not in ALLOWED: ... else:`` all validate in the ``else`` branch; a negated
    disjunction of rejection tests (``if not (bad(p) or worse(p)):``) validates the body.
    """
    inner, negated = _polarity(test)
    if negated and isinstance(inner, cst.BooleanOperation) and isinstance(inner.operator, cst.Or):
        # ``if not (os.path.isabs(p) or ".." in p): use(p)``: every rejection test is false in
        # the body, the same promise as ``if isabs(p) or ".." in p: raise`` before a use
        return _validated_names(inner), frozenset()
    names = positive_guard_names(inner)
    return (frozenset(), names) if negated else (names, frozenset())


def _polarity(test: cst.BaseExpression) -> tuple[cst.BaseExpression, bool]:
    negated = False
    while True:
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            test, negated = test.expression, not negated
            continue
        if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
            target = test.comparisons[0]
            operator, comparator = target.operator, target.comparator
            if isinstance(operator, cst.NotIn):
                in_test = cst.Comparison(
                    left=test.left, comparisons=[cst.ComparisonTarget(cst.In(), comparator)]
                )
                return in_test, not negated
            literal = comparator.value if isinstance(comparator, cst.Name) else ""
            if literal in {"True", "False"} and isinstance(
                operator, cst.Equal | cst.NotEqual | cst.Is | cst.IsNot
            ):
                flip = (literal == "False") != isinstance(operator, cst.NotEqual | cst.IsNot)
                test, negated = test.left, negated != flip
                continue
        return test, negated


def negative_guard_names(node: cst.If) -> frozenset[str]:
    """Names valid after ``if col not in ALLOWED: abort(400)`` or ``if not ok(u): u = "/"``."""
    names = _validated_names(node.test)
    if not names or _exits(node.body):
        return names
    return names & _assigned_names(node.body)


def _assigned_names(body: cst.BaseSuite) -> frozenset[str]:
    lines = body.body if isinstance(body, cst.IndentedBlock) else [body]
    names: set[str] = set()
    for line in lines:
        # Only simple statements assign here; a compound one (with, for ...) has a block.
        if not isinstance(line, cst.SimpleStatementLine | cst.SimpleStatementSuite):
            continue
        for small in line.body:
            if isinstance(small, cst.Assign):
                for target in small.targets:
                    names.update(target_names(target.target))
    return frozenset(names)


def _exits(body: cst.BaseSuite) -> bool:
    statements: list[cst.CSTNode] = []
    if isinstance(body, cst.IndentedBlock):
        for statement in body.body:
            if isinstance(statement, cst.SimpleStatementLine):
                statements.extend(statement.body)
            else:
                statements.append(statement)
    elif isinstance(body, cst.SimpleStatementSuite):
        statements.extend(body.body)
    if not statements:
        return False
    last = statements[-1]
    if isinstance(last, cst.Raise | cst.Return | cst.Continue | cst.Break):
        return True
    if isinstance(last, cst.Expr) and isinstance(last.value, cst.Call):
        func = last.value.func
        name = func.attr.value if isinstance(func, cst.Attribute) else getattr(func, "value", "")
        return name in {n.rsplit(".", 1)[-1] for n in _EXIT_CALLS}
    return False
