"""Line spans from the syntax tree: what "the statement on line N" and "Repo.find_user" mean.

Every line number graderlib ever uses comes from here, computed by libcst on the exact source
the agent sees. A span is 1-based and inclusive. For a compound statement (``def``, ``with``,
``if``, ``except`` ...) the span is its *header*, from its first line (decorators included) to
the line of its colon: that is the line a reviewer points at, and it does not grow when the
body does.

A line inside a statement (an argument of a multi-line call, a dict entry, a ``.filter(...)``
line of a chained call, one part of an implicitly concatenated string) has no anchor of its
own; :meth:`LocatedModule.inner_at` gives the span of the smallest node that starts there,
which is where semgrep-style rule tests expect the finding to start.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider
from pydantic import BaseModel, ConfigDict, model_validator


class Span(BaseModel):
    """Lines ``start``..``end`` inclusive, 1-based."""

    model_config = ConfigDict(frozen=True)

    start: int
    end: int

    @model_validator(mode="after")
    def _ordered(self) -> Span:
        if self.start < 1 or self.end < self.start:
            raise ValueError(f"invalid span {self.start}-{self.end}")
        return self

    def contains(self, line: int) -> bool:
        return self.start <= line <= self.end

    def distance(self, start: int, end: int) -> int:
        """Lines between this span and ``start..end``; 0 when they overlap."""
        if end < self.start:
            return self.start - end
        if start > self.end:
            return start - self.end
        return 0

    def __str__(self) -> str:
        return str(self.start) if self.start == self.end else f"{self.start}-{self.end}"


@dataclass(frozen=True, slots=True)
class Anchor:
    """A statement (or clause) that starts on a line: where an annotation can point."""

    node: cst.CSTNode
    header: Span
    whole: Span


@dataclass(frozen=True, slots=True)
class Definition:
    """A function or class and its dotted path (``Repo.find_user``)."""

    path: str
    node: cst.FunctionDef | cst.ClassDef
    whole: Span


@dataclass(frozen=True, slots=True)
class LocatedModule:
    """A parsed module with the anchors and definitions that spans are made of.

    Built once per source; annotations, locators and detectors all read it, so nothing is
    parsed or position-resolved twice.
    """

    module: cst.Module
    anchors: dict[int, Anchor]
    definitions: tuple[Definition, ...]
    line_count: int
    inner_ends: dict[int, int]  # line -> last line of the smallest node starting on it

    def anchor_at(self, line: int) -> Anchor | None:
        return self.anchors.get(line)

    def inner_at(self, line: int) -> Span | None:
        """The span of the smallest node starting on ``line`` inside a statement, if any."""
        end = self.inner_ends.get(line)
        return Span(start=line, end=end) if end is not None else None

    def find_definitions(self, dotted: str) -> list[Definition]:
        return [d for d in self.definitions if d.path == dotted]


# What can start a line that an annotation (or a detector's span) points at.
ANCHOR_TYPES = (
    cst.SimpleStatementLine,
    cst.BaseCompoundStatement,
    cst.ExceptHandler,
    cst.ExceptStarHandler,
    cst.Else,
    cst.Finally,
    cst.MatchCase,
)


# Layout, not code: never what an annotation points at.
_LAYOUT_TYPES = (
    cst.Module,
    cst.IndentedBlock,
    cst.BaseParenthesizableWhitespace,
    cst.EmptyLine,
    cst.Newline,
    cst.TrailingWhitespace,
    cst.Comment,
)


def _line_span(code_range: CodeRange) -> Span:
    return Span(start=code_range.start.line, end=code_range.end.line)


class _AnchorCollector(cst.CSTVisitor):
    METADATA_DEPENDENCIES = (PositionProvider,)

    def __init__(self) -> None:
        super().__init__()
        self.anchors: dict[int, Anchor] = {}
        self.inner_ends: dict[int, int] = {}
        self.definitions: list[Definition] = []
        self._scope: list[str] = []

    def _header_end(self, node: cst.CSTNode) -> int:
        body = getattr(node, "body", None)
        if isinstance(body, cst.IndentedBlock):
            return self.get_metadata(PositionProvider, body.header).start.line
        if isinstance(body, cst.SimpleStatementSuite):
            return self.get_metadata(PositionProvider, body).start.line
        return self.get_metadata(PositionProvider, node).end.line

    def _add(self, node: cst.CSTNode, first_line: int | None = None) -> None:
        position = self.get_metadata(PositionProvider, node)
        start = first_line if first_line is not None else position.start.line
        if isinstance(node, cst.SimpleStatementLine):
            header = Span(start=start, end=position.end.line)
        else:
            header = Span(start=start, end=max(start, self._header_end(node)))
        anchor = Anchor(node=node, header=header, whole=Span(start=start, end=position.end.line))
        # Outermost wins: ``if x: return y`` is the ``if``; a decorator line is its ``def``.
        self.anchors.setdefault(start, anchor)
        if first_line is not None:
            self.anchors.setdefault(position.start.line, anchor)

    def _decorated_start(self, node: cst.FunctionDef | cst.ClassDef) -> int | None:
        if not node.decorators:
            return None
        return self.get_metadata(PositionProvider, node.decorators[0]).start.line

    def on_visit(self, node: cst.CSTNode) -> bool:
        if isinstance(node, cst.FunctionDef | cst.ClassDef):
            first = self._decorated_start(node)
            self._add(node, first)
            self._scope.append(node.name.value)
            whole = _line_span(self.get_metadata(PositionProvider, node))
            if first is not None:
                whole = Span(start=first, end=whole.end)
            self.definitions.append(Definition(".".join(self._scope), node, whole))
        elif isinstance(node, ANCHOR_TYPES):
            self._add(node)
        elif not isinstance(node, _LAYOUT_TYPES):
            position = self.get_metadata(PositionProvider, node)
            start, end = position.start.line, position.end.line
            if start not in self.anchors and end < self.inner_ends.get(start, end + 1):
                self.inner_ends[start] = end
        return True

    def on_leave(self, original_node: cst.CSTNode) -> None:
        if isinstance(original_node, cst.FunctionDef | cst.ClassDef):
            self._scope.pop()


def locate_module(module: cst.Module) -> LocatedModule:
    """Resolve positions once and index every statement start and every definition."""
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    collector = _AnchorCollector()
    wrapper.visit(collector)
    code = module.code
    line_count = code.count("\n") + (0 if code.endswith("\n") or not code else 1)
    return LocatedModule(
        module=module,
        anchors=collector.anchors,
        definitions=tuple(collector.definitions),
        line_count=line_count,
        inner_ends=collector.inner_ends,
    )


def numbered(source: str, *, width: int | None = None) -> str:
    """The source with right-aligned line numbers, as reviewers (and agents) see it."""
    lines = source.splitlines()
    width = width or len(str(max(len(lines), 1)))
    return "\n".join(f"{i:>{width}} | {line}" for i, line in enumerate(lines, start=1))
