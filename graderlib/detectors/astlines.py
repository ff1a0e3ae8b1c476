"""Statement line numbers from Python's ``ast``, paired one-to-one with libcst's statements.

Both parsers see the same statements in the same order: a libcst ``SimpleStatementLine``
holding ``a = 1; b = 2`` is two ``ast`` statements, every compound statement is one, and their
bodies nest alike. Walking the two trees side by side gives each libcst statement the line
numbers ``ast`` (a C parser) already computed, for the cost of a dictionary. The one thing
``ast`` does not record, the line of a compound statement's colon, is read off libcst's own
code for the header alone (the body swapped for ``pass``), so a span is exactly what
PositionProvider would report. If the trees ever disagree, pairing fails and callers fall
back to PositionProvider.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence

import libcst as cst

from graderlib.locate import Span

_Compound = (
    cst.FunctionDef,
    cst.ClassDef,
    cst.If,
    cst.For,
    cst.While,
    cst.With,
    cst.Try,
    cst.TryStar,
    cst.Match,
    cst.ExceptHandler,
    cst.ExceptStarHandler,
)
_AST_FOR: dict[type[cst.CSTNode], tuple[type[ast.AST], ...]] = {
    cst.FunctionDef: (ast.FunctionDef, ast.AsyncFunctionDef),
    cst.ClassDef: (ast.ClassDef,),
    cst.If: (ast.If,),
    cst.For: (ast.For, ast.AsyncFor),
    cst.While: (ast.While,),
    cst.With: (ast.With, ast.AsyncWith),
    cst.Try: (ast.Try,),
    cst.TryStar: (ast.TryStar,),
    cst.Match: (ast.Match,),
    cst.ExceptHandler: (ast.ExceptHandler,),
    cst.ExceptStarHandler: (ast.ExceptHandler,),
}


class Mismatch(Exception):
    """The two trees do not line up; use PositionProvider instead."""


class AstLines:
    """libcst statement -> its ast node(s); built once per module, on first use."""

    def __init__(self, module: cst.Module, tree: ast.Module) -> None:
        self.module = module
        self.tree = tree
        self.simple: dict[int, list[ast.stmt]] = {}
        self.compound: dict[int, ast.AST] = {}
        self.back: dict[int, cst.CSTNode] = {}
        self._headers: dict[int, int] = {}
        self._pair_body(module.body, tree.body)

    # ------------------------------------------------------------- pairing

    def _pair_body(self, statements: Sequence[cst.CSTNode], nodes: Sequence[ast.AST]) -> None:
        index = 0
        for statement in statements:
            if isinstance(statement, cst.SimpleStatementLine):
                group = list(nodes[index : index + len(statement.body)])
                if len(group) != len(statement.body):
                    raise Mismatch("simple statement count")
                index += len(group)
                self.simple[id(statement)] = group  # type: ignore[assignment]
                for node in group:
                    self.back[id(node)] = statement
            else:
                if index >= len(nodes):
                    raise Mismatch("compound statement count")
                self._pair_compound(statement, nodes[index])
                index += 1
        if index != len(nodes):
            raise Mismatch("trailing statements")

    def _pair_suite(self, suite: cst.CSTNode | None, nodes: Sequence[ast.AST]) -> None:
        if suite is None:
            if nodes:
                raise Mismatch("missing suite")
        elif isinstance(suite, cst.IndentedBlock):
            self._pair_body(suite.body, nodes)
        elif isinstance(suite, cst.SimpleStatementSuite):
            if len(suite.body) != len(nodes):
                raise Mismatch("one-line suite")
        elif isinstance(suite, cst.Else | cst.Finally):
            self._pair_suite(suite.body, nodes)
        else:
            raise Mismatch(type(suite).__name__)

    def _pair_compound(self, statement: cst.CSTNode, node: ast.AST) -> None:
        expected = _AST_FOR.get(type(statement))
        if expected is None or not isinstance(node, expected):
            raise Mismatch(f"{type(statement).__name__} vs {type(node).__name__}")
        self.compound[id(statement)] = node
        self.back[id(node)] = statement
        if isinstance(statement, cst.Match):
            cases = getattr(node, "cases", [])
            if len(cases) != len(statement.cases):
                raise Mismatch("match cases")
            for case, ast_case in zip(statement.cases, cases, strict=True):
                self._pair_suite(case.body, ast_case.body)
            return
        self._pair_suite(getattr(statement, "body", None), getattr(node, "body", []))
        if isinstance(statement, cst.Try | cst.TryStar):
            handlers = getattr(node, "handlers", [])
            if len(handlers) != len(statement.handlers):
                raise Mismatch("handlers")
            for handler, ast_handler in zip(statement.handlers, handlers, strict=True):
                self._pair_compound(handler, ast_handler)
            self._pair_suite(statement.finalbody, getattr(node, "finalbody", []))
        orelse = getattr(statement, "orelse", None)
        ast_orelse = getattr(node, "orelse", [])
        if isinstance(orelse, cst.If):
            if len(ast_orelse) != 1:
                raise Mismatch("elif")
            self._pair_compound(orelse, ast_orelse[0])
        elif orelse is not None or ast_orelse:
            self._pair_suite(orelse, ast_orelse)

    # ------------------------------------------------------------- spans

    def span(self, statement: cst.CSTNode) -> Span | None:
        """The locate-style span of a paired statement, None if it has no ast counterpart."""
        group = self.simple.get(id(statement))
        if group is not None:
            end = max(node.end_lineno or node.lineno for node in group)
            return Span(start=group[0].lineno, end=end)
        node = self.compound.get(id(statement))
        if node is None:
            return None
        keyword_line: int = node.lineno  # type: ignore[attr-defined]
        decorators = getattr(node, "decorator_list", [])
        start = min([keyword_line, *(d.lineno for d in decorators)])
        return Span(start=start, end=keyword_line + self._header_lines(statement))

    def whole(self, statement: cst.CSTNode) -> Span | None:
        header = self.span(statement)
        node = self.compound.get(id(statement))
        if header is None or node is None:
            return header
        return Span(start=header.start, end=max(header.end, node.end_lineno or header.end))  # type: ignore[attr-defined]

    def _header_lines(self, statement: cst.CSTNode) -> int:
        """Newlines between a compound statement's keyword and its colon."""
        cached = self._headers.get(id(statement))
        if cached is not None:
            return cached
        if isinstance(statement, cst.Try | cst.TryStar):
            lines = 0  # `try:` cannot span lines
        elif isinstance(statement, cst.Match):
            node = self.compound[id(statement)]  # graderlib.locate: a match has no header
            lines = (node.end_lineno or node.lineno) - node.lineno  # type: ignore[attr-defined]
        else:
            changes: dict[str, object] = {
                "body": cst.SimpleStatementSuite(body=[cst.Pass()]),
                "leading_lines": [],
            }
            if hasattr(statement, "decorators"):
                changes["decorators"] = []
                changes["lines_after_decorators"] = []
            if hasattr(statement, "orelse"):
                changes["orelse"] = None
            header = statement.with_changes(**changes)
            lines = self.module.code_for_node(header).rstrip().count("\n")
        self._headers[id(statement)] = lines
        return lines

    def statement_at(self, line: int) -> tuple[cst.CSTNode, tuple[str, ...]] | None:
        """The innermost paired libcst statement whose span contains ``line``, and its scope."""
        found: tuple[cst.CSTNode, tuple[str, ...]] | None = None
        nodes: Sequence[ast.AST] = self.tree.body
        scope: tuple[str, ...] = ()
        while True:
            inner = None
            for node in nodes:
                first = min(
                    [node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))]  # type: ignore[attr-defined]
                )
                if first <= line <= (node.end_lineno or node.lineno):  # type: ignore[attr-defined]
                    inner = node
                    break
            if inner is None:
                return found
            statement = self.back.get(id(inner))
            if statement is None:
                return found
            found = (statement, scope)
            if isinstance(inner, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                scope = (*scope, inner.name)
            nodes = _children_statements(inner)
            if not nodes:
                return found


def _children_statements(node: ast.AST) -> list[ast.AST]:
    found: list[ast.AST] = []
    for field in ("body", "handlers", "orelse", "finalbody"):
        value = getattr(node, field, None)
        if isinstance(value, list):
            found.extend(v for v in value if isinstance(v, ast.stmt | ast.ExceptHandler))
    for case in getattr(node, "cases", []) or []:
        found.extend(case.body)
    return found


def pair(module: cst.Module, tree: ast.Module | None) -> AstLines | None:
    if tree is None:
        return None
    try:
        return AstLines(module, tree)
    except (Mismatch, RecursionError):
        return None
