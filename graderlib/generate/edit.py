"""Replacing one node of a libcst tree and writing an annotation comment above its statement.

Every bug kind only says *which* nodes it can mutate and *what* a node becomes; this module does
the tree surgery that all of them share, so the annotation always lands exactly where the task
loader will look for it: on its own line directly above the statement (or ``except`` clause)
that contains the mutation. Statement-level edits (dropping a ``with``, removing a guard) are
done on the parent block, so a removed statement hands its comments and its annotation to the
statement that takes its place.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import libcst as cst
import libcst.matchers as m

#: Nodes that own a line a reviewer can point at, and that carry ``leading_lines``.
ANCHOR_TYPES = (cst.SimpleStatementLine, cst.BaseCompoundStatement, cst.ExceptHandler)
Anchor = cst.SimpleStatementLine | cst.BaseCompoundStatement | cst.ExceptHandler
Replacement = cst.CSTNode | Sequence[cst.BaseStatement]


class _Indexer(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.nodes: list[cst.CSTNode] = []
        self.parent: dict[cst.CSTNode, cst.CSTNode] = {}
        self._stack: list[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self._stack:
            self.parent[node] = self._stack[-1]
        self.nodes.append(node)
        self._stack.append(node)
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self._stack.pop()


_INDEX_CACHE: dict[int, tuple[cst.Module, _Indexer]] = {}


def _index(module: cst.Module) -> _Indexer:
    """Every node in source order and every parent, from ONE walk, reused while ``module`` is.

    A libcst walk is the expensive part of generation; every bug kind asks about the same tree,
    so the walk is shared (trees are immutable, so the index never goes stale).
    """
    cached = _INDEX_CACHE.get(id(module))
    if cached is not None and cached[0] is module:
        return cached[1]
    indexer = _Indexer()
    module.visit(indexer)
    if len(_INDEX_CACHE) > 16:
        _INDEX_CACHE.clear()
    _INDEX_CACHE[id(module)] = (module, indexer)
    return indexer


def parents(module: cst.Module) -> Mapping[cst.CSTNode, cst.CSTNode]:
    """Parent of every node of ``module`` (identity-keyed)."""
    return _index(module).parent


def find(module: cst.Module, kind: type[cst.CSTNode], matcher: object = None) -> list[cst.CSTNode]:
    """Nodes of ``kind`` in source order that match the libcst ``matcher`` (if given)."""
    return [
        node
        for node in _index(module).nodes
        if isinstance(node, kind) and (matcher is None or m.matches(node, matcher))  # type: ignore[arg-type]
    ]


def anchor_of(node: cst.CSTNode, parent_map: Mapping[cst.CSTNode, cst.CSTNode]) -> Anchor:
    """The innermost statement or ``except`` clause whose header holds ``node``."""
    current: cst.CSTNode | None = node
    while current is not None:
        if isinstance(current, ANCHOR_TYPES):
            return current
        current = parent_map.get(current)
    raise ValueError("node is not inside a statement")


def annotation_comments(anchor: cst.CSTNode) -> list[str]:
    """The ground-truth comments already written above ``anchor``."""
    lines: Sequence[cst.EmptyLine] = getattr(anchor, "leading_lines", ())
    return [
        line.comment.value
        for line in lines
        if line.comment is not None and line.comment.value.startswith(("# expect:", "# ok:"))
    ]


def _with_comment(node: cst.CSTNode, comment: str) -> cst.CSTNode:
    leading: Sequence[cst.EmptyLine] = getattr(node, "leading_lines", ())
    line = cst.EmptyLine(indent=True, comment=cst.Comment(comment))
    return node.with_changes(leading_lines=[*leading, line])


class _Replace(cst.CSTTransformer):
    """Swap ``target`` for ``replacement`` and put ``comment`` above the right statement."""

    def __init__(
        self,
        target: cst.CSTNode,
        replacement: Replacement | None,
        comment: str,
        anchor: cst.CSTNode | None,
    ) -> None:
        super().__init__()
        self.target = target
        self.replacement = replacement
        self.comment = comment
        self.anchor = anchor
        self.done = False

    def on_leave(  # type: ignore[override]
        self, original_node: cst.CSTNode, updated_node: cst.CSTNode
    ) -> cst.CSTNode:
        node: cst.CSTNode = updated_node
        if original_node is self.target and self.anchor is not None:
            if self.replacement is not None:
                assert isinstance(self.replacement, cst.CSTNode)
                node = self.replacement
            if self.anchor is self.target:
                node = _with_comment(node, self.comment)
                self.done = True
        elif original_node is self.anchor:
            node = _with_comment(node, self.comment)
            self.done = True
        body = getattr(node, "body", None)
        if self.anchor is None and isinstance(body, Sequence) and not isinstance(body, str):
            node = self._splice(original_node, node, body)
        return node

    def _splice(
        self, original: cst.CSTNode, node: cst.CSTNode, body: Sequence[cst.CSTNode]
    ) -> cst.CSTNode:
        """Replace the target statement inside a block with zero or more statements."""
        originals: Sequence[cst.CSTNode] = getattr(original, "body", ())
        if not any(child is self.target for child in originals):
            return node
        index = next(i for i, child in enumerate(originals) if child is self.target)
        assert isinstance(self.replacement, Sequence)
        new: list[cst.CSTNode] = list(self.replacement)
        target_leading: Sequence[cst.EmptyLine] = getattr(self.target, "leading_lines", ())
        after = list(body[index + 1 :])
        if new:
            own: Sequence[cst.EmptyLine] = getattr(new[0], "leading_lines", ())
            first = new[0].with_changes(leading_lines=[*target_leading, *own])
            new[0] = _with_comment(first, self.comment)
        elif after:
            following = after[0]
            moved = [*target_leading, *getattr(following, "leading_lines", ())]
            after[0] = _with_comment(following.with_changes(leading_lines=moved), self.comment)
        else:
            raise ValueError("cannot remove the last statement of a block")
        self.done = True
        return node.with_changes(body=[*body[:index], *new, *after])


def replace(
    module: cst.Module, target: cst.CSTNode, replacement: Replacement | None, comment: str
) -> cst.Module:
    """``module`` with ``target`` replaced and ``comment`` written above its statement.

    ``replacement`` is a node (same slot), a sequence of statements (the target is a statement
    in a block: splice them in; an empty sequence removes it and the comment moves to the next
    statement), or None (only annotate, e.g. a safe look-alike).
    """
    is_statement = isinstance(target, cst.BaseStatement)
    if is_statement and isinstance(replacement, Sequence):
        transformer = _Replace(target, replacement, comment, anchor=None)
    else:
        anchor = target if isinstance(target, ANCHOR_TYPES) else anchor_of(target, parents(module))
        transformer = _Replace(target, replacement, comment, anchor=anchor)
    result = module.visit(transformer)
    if not transformer.done:
        raise ValueError("target not found in module")
    return result
