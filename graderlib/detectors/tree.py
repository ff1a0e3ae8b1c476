"""Reading libcst trees fast: a node's children, and the names an assignment binds.

libcst's own visitor rebuilds every node it passes, and ``isinstance`` against its ABCs is
slow in a hot loop, so children are read straight off each node's dataclass fields (whitespace
skipped, in roughly evaluation order) with the field lists and type checks memoised. Shared by
the walk, the dataflow, the guards and the position resolver; it depends on nothing else here.
"""

from __future__ import annotations

import dataclasses

import libcst as cst

_SKIPPED_FIELDS = frozenset(
    {
        "asynchronous",
        "colon",
        "comma",
        "comment",
        "default_indent",
        "default_newline",
        "dot",
        "empty_lines",
        "encoding",
        "equal",
        "first_colon",
        "first_line",
        "footer",
        "has_trailing_newline",
        "header",
        "indent",
        "last_line",
        "lbrace",
        "lbracket",
        "leading_lines",
        "lines_after_decorators",
        "lpar",
        "newline",
        "operator",
        "posonly_ind",
        "rbrace",
        "rbracket",
        "relative",
        "rpar",
        "second_colon",
        "semicolon",
        "separator",
        "star",
        "trailing_comma",
        "trailing_whitespace",
        "whitespace",
    }
)
# Fields whose evaluation comes first in the source, moved to the front of the walk.
_FIRST_FIELDS = ("decorators", "iter", "type")
_CHILD_FIELDS: dict[type[cst.CSTNode], tuple[str, ...]] = {}


def child_fields(node_type: type[cst.CSTNode]) -> tuple[str, ...]:
    names = _CHILD_FIELDS.get(node_type)
    if names is None:
        all_names = [
            f.name
            for f in dataclasses.fields(node_type)
            if f.name not in _SKIPPED_FIELDS and not f.name.startswith("whitespace")
        ]
        first = [n for n in _FIRST_FIELDS if n in all_names]
        names = tuple(first + [n for n in all_names if n not in first])
        _CHILD_FIELDS[node_type] = names
    return names


_IS_NODE: dict[type, bool] = {}


def _is_node(value_type: type) -> bool:
    """``issubclass(t, CSTNode)`` memoised: libcst's ABCs make isinstance slow in a hot loop."""
    known = _IS_NODE.get(value_type)
    if known is None:
        known = _IS_NODE[value_type] = issubclass(value_type, cst.CSTNode)
    return known


def children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The non-whitespace children of ``node`` in (roughly) evaluation order."""
    found: list[cst.CSTNode] = []
    for name in child_fields(type(node)):
        value = getattr(node, name)
        value_type = type(value)
        if value_type is tuple or value_type is list:
            found.extend(item for item in value if _is_node(type(item)))
        elif _is_node(value_type):
            found.append(value)
    return found


def target_names(target: cst.CSTNode) -> list[str]:
    """Plain names bound by an assignment target (``a``, ``a, b``, ``[a, *b]``)."""
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, cst.Tuple | cst.List):
        names: list[str] = []
        for element in target.elements:
            names.extend(target_names(element.value))
        return names
    if isinstance(target, cst.StarredElement):
        return target_names(target.value)
    return []


def name_reads(scope: cst.CSTNode) -> dict[str, list[list[cst.CSTNode]]]:
    """Every read of a plain name in ``scope`` with its ancestors (innermost first), nested
    functions and classes excluded."""
    found: dict[str, list[list[cst.CSTNode]]] = {}
    stack: list[tuple[cst.CSTNode, tuple[cst.CSTNode, ...]]] = [
        (child, (scope,)) for child in children(scope)
    ]
    while stack:
        node, path = stack.pop()
        if isinstance(node, cst.Name):
            parent = path[-1]
            bound = isinstance(parent, cst.AssignTarget) or (
                isinstance(parent, cst.AnnAssign | cst.AugAssign) and parent.target is node
            )
            if not bound:
                found.setdefault(node.value, []).append(list(reversed(path)))
            continue
        if isinstance(node, cst.FunctionDef | cst.ClassDef | cst.Lambda):
            continue
        inner = (*path, node)
        if isinstance(node, cst.Attribute):
            stack.append((node.value, inner))  # ``x.code`` reads x, not a name ``code``
        elif isinstance(node, cst.Arg):
            stack.append((node.value, inner))  # ``f(token=v)`` reads v, not ``token``
        else:
            stack.extend((child, inner) for child in children(node))
    return found
