"""Exact line spans, computed only for the statements that have findings.

libcst's PositionProvider over a whole 300-line module costs about three parses, and most
statements never have a finding. So spans come first from :mod:`graderlib.detectors.astlines`,
which pairs libcst's statements with the ``ast`` tree that scan() parsed anyway (a dictionary
lookup per finding). When the two trees cannot be paired, PositionProvider runs per module-level
statement (a one-statement module holding the statement with a finding, stitched to the line
``ast`` gives for it), or over the whole module as the last resort: slower, never wrong.

Spans follow :mod:`graderlib.locate`: a simple statement's whole line range; a compound
statement's header, from its first decorator to its colon.
"""

from __future__ import annotations

import ast
import bisect
from collections.abc import Mapping

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

from graderlib.detectors.astlines import AstLines, pair
from graderlib.detectors.tree import children
from graderlib.locate import ANCHOR_TYPES, Span
from graderlib.pyparse import parse_python

Positions = Mapping[cst.CSTNode, CodeRange]
_MINI_MODULES_BEFORE_WHOLE = 8


class PositionResolver:
    def __init__(
        self,
        module: cst.Module,
        source: str,
        tree: ast.Module | None = None,
        *,
        parse_ast: bool = True,
    ) -> None:
        """``tree`` is the source's ``ast`` if the caller has one; without it, the resolver
        parses one itself unless ``parse_ast`` is False (the caller knows ``ast`` cannot read
        this source: newer syntax than this interpreter's, see pyparse.parse_source)."""
        self.module = module
        self.source = source
        self.tree = tree
        self._parse_ast = parse_ast
        self._starts: dict[int, tuple[int, int, int]] | None = None  # id -> start, first, end
        self._whole: Positions | None = None
        self._cache: dict[int, tuple[Positions, int]] = {}
        self._layout_known = False
        self._resolved = 0
        self._tops: list[tuple[int, int, cst.CSTNode]] | None = None
        self._paired: AstLines | None = None
        self._pairing_tried = False

    def _lines(self) -> AstLines | None:
        if not self._pairing_tried:
            self._pairing_tried = True
            tree = self.tree
            if tree is None and self._parse_ast:
                try:
                    tree = parse_python(self.source)
                except (SyntaxError, ValueError, MemoryError, RecursionError, OverflowError):
                    tree = None
            self._paired = pair(self.module, tree)
        return self._paired

    # ------------------------------------------------------------- layout of top statements

    def _layout(self) -> dict[int, tuple[int, int, int]] | None:
        if not self._layout_known:
            self._layout_known = True
            self._starts = (
                _ast_layout(self.module, self.source, self.tree)
                if self.tree is not None or self._parse_ast
                else None
            )
        return self._starts

    def _whole_module(self) -> Positions:
        if self._whole is None:
            self._whole = MetadataWrapper(self.module, unsafe_skip_copy=True).resolve(
                PositionProvider
            )
        return self._whole

    def positions(self, top: cst.CSTNode) -> tuple[Positions, int]:
        """Positions of the nodes under ``top`` and the line offset to add to them."""
        cached = self._cache.get(id(top))
        if cached is not None:
            return cached
        layout = self._layout()
        self._resolved += 1
        if self._resolved > _MINI_MODULES_BEFORE_WHOLE:
            layout = None  # findings everywhere: one whole-module pass is cheaper
        if (
            layout is None
            or id(top) not in layout
            or not isinstance(top, cst.SimpleStatementLine | cst.BaseCompoundStatement)
        ):
            result: tuple[Positions, int] = (self._whole_module(), 0)
        else:
            mini = cst.Module(body=[top])
            positions = MetadataWrapper(mini, unsafe_skip_copy=True).resolve(PositionProvider)
            offset = layout[id(top)][0] - positions[top].start.line
            result = (positions, offset)
        self._cache[id(top)] = result
        return result

    # ------------------------------------------------------------- spans

    def span(self, anchor: cst.CSTNode, top: cst.CSTNode) -> Span:
        lines = self._lines()
        found = lines.span(anchor) if lines is not None else None
        if found is not None:
            return found
        positions, offset = self.positions(top)
        return _anchor_span(anchor, positions, offset)

    def statement_at(self, line: int) -> tuple[Span, cst.CSTNode | None, str]:
        """The innermost statement on ``line`` (for tools that report a line): its span, the
        node, and the dotted path of the function/class around it."""
        fallback = Span(start=max(line, 1), end=max(line, 1))
        lines = self._lines()
        found_statement = lines.statement_at(line) if lines is not None else None
        if lines is not None and found_statement is None:
            return fallback, None, ""
        if (
            lines is not None
            and found_statement is not None
            and not isinstance(found_statement[0], cst.Match)
        ):
            statement, scope_names = found_statement  # (match cases have no ast lines)
            header = lines.span(statement)
            if header is not None and header.contains(line):
                return header, statement, ".".join(scope_names)
            if header is not None:
                return fallback, None, ".".join(scope_names)
        top = self._top_containing(line)
        if top is None:
            return fallback, None, ""
        positions, offset = self.positions(top)
        found = _innermost(top, line, positions, offset, ())
        if found is None:
            return fallback, None, ""
        span, node, scope = found
        return span, node, ".".join(scope)

    def _top_containing(self, line: int) -> cst.CSTNode | None:
        if self._tops is None:
            layout = self._layout()
            if layout is not None:
                self._tops = [(layout[id(t)][1], layout[id(t)][2], t) for t in self.module.body]
            else:
                whole = self._whole_module()
                self._tops = []
                for top in self.module.body:
                    span = _whole_span(top, whole, 0)
                    self._tops.append((span.start, span.end, top))
        index = bisect.bisect_right(self._tops, line, key=lambda entry: entry[0]) - 1
        if index >= 0 and self._tops[index][0] <= line <= self._tops[index][1]:
            return self._tops[index][2]
        return None


def _innermost(
    anchor: cst.CSTNode, line: int, positions: Positions, offset: int, scope: tuple[str, ...]
) -> tuple[Span, cst.CSTNode, tuple[str, ...]] | None:
    """Depth-first: the deepest statement containing ``line``; its header if line is there."""
    if not _whole_span(anchor, positions, offset).contains(line):
        return None
    inner_scope = scope
    if isinstance(anchor, cst.FunctionDef | cst.ClassDef):
        inner_scope = (*scope, anchor.name.value)
    if not isinstance(anchor, cst.SimpleStatementLine):
        pending = list(children(anchor))
        while pending:
            node = pending.pop()
            if isinstance(node, ANCHOR_TYPES):
                inner = _innermost(node, line, positions, offset, inner_scope)
                if inner is not None:
                    return inner
            else:
                pending.extend(children(node))
    header = _anchor_span(anchor, positions, offset)
    return (header, anchor, scope) if header.contains(line) else None


def _first_line(node: cst.CSTNode, positions: Positions, offset: int) -> int:
    decorators = getattr(node, "decorators", ())
    if decorators:
        return positions[decorators[0]].start.line + offset
    return positions[node].start.line + offset


def _whole_span(node: cst.CSTNode, positions: Positions, offset: int) -> Span:
    start = _first_line(node, positions, offset)
    return Span(start=start, end=max(start, positions[node].end.line + offset))


def _anchor_span(node: cst.CSTNode, positions: Positions, offset: int) -> Span:
    start = _first_line(node, positions, offset)
    if not isinstance(node, ANCHOR_TYPES) or isinstance(node, cst.SimpleStatementLine):
        return Span(start=start, end=max(start, positions[node].end.line + offset))
    body = getattr(node, "body", None)
    if isinstance(body, cst.IndentedBlock):
        end = positions[body.header].start.line + offset
    elif isinstance(body, cst.SimpleStatementSuite):
        end = positions[body].start.line + offset
    else:
        end = positions[node].end.line + offset
    return Span(start=start, end=max(start, end))


def _ast_layout(
    module: cst.Module, source: str, tree: ast.Module | None
) -> dict[int, tuple[int, int, int]] | None:
    """Each module-level statement's start line, first line (decorators) and end line."""
    if tree is None:
        try:
            tree = parse_python(source)
        except (SyntaxError, ValueError, MemoryError, RecursionError, OverflowError):
            return None
    statements = tree.body
    layout: dict[int, tuple[int, int, int]] = {}
    index = 0
    for top in module.body:
        count = len(top.body) if isinstance(top, cst.SimpleStatementLine) else 1
        group = statements[index : index + count]
        if len(group) != count:
            return None
        index += count
        first = group[0]
        start = first.lineno
        decorators = getattr(first, "decorator_list", [])
        first_line = min([start, *(d.lineno for d in decorators)])
        end = max(g.end_lineno or g.lineno for g in group)
        layout[id(top)] = (start, first_line, end)
    if index != len(statements):
        return None
    return layout
