"""``scan(source)``: graderlib's detectors, bandit and ruff, in taxonomy terms, merged.

One parse serves every libcst detector and every line-to-statement lookup. Findings of the
same category whose spans overlap are one finding that keeps every tool's rule id, so the
question "did anyone see the SQL injection on line 12?" has one answer. Nothing the text can
contain makes this raise: an unparsable source is a ``syntax_error`` result, and a tool that
fails is listed in ``tool_errors`` while the others still report.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

import libcst as cst
from pydantic import BaseModel, ConfigDict

from graderlib.detectors.bandit import newer_syntax_error, run_bandit
from graderlib.detectors.base import (
    DetectorFinding,
    Hit,
    Tool,
    fingerprint,
    normalized_code,
    normalized_fingerprint,
)
from graderlib.detectors.consensus import ARBITRATED, Clearance, SuppressedFinding, arbitrate
from graderlib.detectors.external import ToolError, ToolFinding
from graderlib.detectors.families import all_detectors
from graderlib.detectors.positions import PositionResolver
from graderlib.detectors.ruff import RuffRun
from graderlib.detectors.walk import Context
from graderlib.detectors.worker import BanditJob, submit_bandit
from graderlib.locate import ANCHOR_TYPES, Span
from graderlib.pyparse import ParsedSource, SourceSyntaxError, parse_source

TOOLS: tuple[Tool, ...] = ("graderlib", "bandit", "ruff")
_PRIORITY = {tool: index for index, tool in enumerate(TOOLS)}


class ScanResult(BaseModel):
    """What ``scan`` found in one source."""

    model_config = ConfigDict(frozen=True)

    path: str
    findings: tuple[DetectorFinding, ...] = ()
    syntax_error: str | None = None
    tool_errors: tuple[str, ...] = ()
    #: bandit/ruff findings that graderlib's dataflow overruled (see ``consensus``)
    suppressed: tuple[SuppressedFinding, ...] = ()

    @property
    def categories(self) -> frozenset[str]:
        return frozenset(f.category for f in self.findings)


def scan(
    source: str,
    tools: Sequence[str] = TOOLS,
    *,
    path: str = "<snippet>",
) -> ScanResult:
    """Run the chosen tools on ``source``; never raises because of what ``source`` holds."""
    unknown = [t for t in tools if t not in TOOLS]
    if unknown:
        raise ValueError(f"unknown tool(s) {', '.join(unknown)}; choose from {', '.join(TOOLS)}")
    if not isinstance(source, str):
        raise TypeError(f"scan() needs the source text as str, not {type(source).__name__}")
    source = source.removeprefix("\ufeff")  # a UTF-8 BOM is encoding, not code
    try:
        parsed = parse_source(source)  # ast first (the nesting guard), libcst for newer syntax
    except SourceSyntaxError as error:
        where = path if error.line is None else f"{path}:{error.line}:{error.column or 1}"
        return ScanResult(path=path, syntax_error=f"{where}: {error.message}")
    # Ruff (and bandit, when its helper process runs) start first and work on another core
    # while the libcst detectors run here.
    ruff = RuffRun(source, path) if "ruff" in tools else None
    bandit_reads_it = parsed.tree is not None  # bandit is bound to this interpreter's grammar
    bandit = submit_bandit(source, path) if "bandit" in tools and bandit_reads_it else None
    try:
        return _scan_parsed(source, parsed, tools, path, ruff, bandit)
    finally:
        if ruff is not None:
            ruff.cancel()  # a no-op once ruff has answered
        if bandit is not None:
            bandit.abandon()  # a no-op once its answer was read


def _scan_parsed(
    source: str,
    parsed: ParsedSource,
    tools: Sequence[str],
    path: str,
    ruff: RuffRun | None,
    bandit: BanditJob | None,
) -> ScanResult:
    module, tree = parsed.module, parsed.tree
    resolver = PositionResolver(module, source, tree, parse_ast=False)
    codes = StatementCodes(module)
    findings: list[DetectorFinding] = []
    clearances: list[Clearance] = []
    errors: list[str] = []
    if "graderlib" in tools:
        try:
            findings.extend(_graderlib_findings(codes, resolver, clearances))
        except RecursionError:
            errors.append("graderlib: the code is nested too deeply to analyse")
        except Exception as error:
            errors.append(f"graderlib: internal error {type(error).__name__}: {error}")

    def bandit_findings() -> list[ToolFinding]:
        if tree is None:
            raise newer_syntax_error()
        return bandit.result(source, path) if bandit is not None else run_bandit(source, path)

    external: list[tuple[str, Callable[[], list[ToolFinding]]]] = []
    if "bandit" in tools:
        external.append(("bandit", bandit_findings))
    if ruff is not None:
        external.append(("ruff", ruff.result))
    for tool, run in external:
        try:
            raw = run()
        except ToolError as error:
            errors.append(str(error))
            continue
        try:
            findings.extend(_external_findings(raw, resolver, codes))
        except (RecursionError, Exception) as error:
            errors.append(f"{tool}: could not place findings: {type(error).__name__}")
    suppressed: list[SuppressedFinding] = []
    if "graderlib" in tools and len(tools) > 1:
        imports = _import_spans(resolver, findings)
        findings, suppressed = arbitrate(findings, clearances, imports)
    return ScanResult(
        path=path,
        findings=tuple(merge(findings)),
        tool_errors=tuple(errors),
        suppressed=tuple(suppressed),
    )


def _graderlib_findings(
    codes: StatementCodes, resolver: PositionResolver, clearances: list[Clearance]
) -> list[DetectorFinding]:
    context = Context(codes.module, all_detectors())
    hits = context.run()
    for hit in context.clearances:
        clearances.append(
            Clearance(
                detector=hit.detector.id,
                category=hit.detector.category,
                span=resolver.span(hit.anchor, hit.top),
                reason=hit.message,
            )
        )
    return [_finding(hit, codes, resolver) for hit in hits]


def _import_spans(resolver: PositionResolver, findings: list[DetectorFinding]) -> list[Span]:
    """The import statements that another tool flagged in an arbitrated category."""
    spans = []
    for finding in findings:
        if finding.tool == "graderlib" or finding.category not in ARBITRATED:
            continue
        span, node, _ = resolver.statement_at(finding.span.start)
        if isinstance(node, cst.SimpleStatementLine) and all(
            isinstance(small, cst.Import | cst.ImportFrom) for small in node.body
        ):
            spans.append(span)
    return spans


def _finding(hit: Hit, codes: StatementCodes, resolver: PositionResolver) -> DetectorFinding:
    detector = hit.detector
    return DetectorFinding(
        tool="graderlib",
        tools=("graderlib",),
        rule_ids=(detector.id,),
        category=detector.category,
        cwe=hit.cwe or detector.cwe,
        severity=hit.severity or detector.severity,
        span=resolver.span(hit.anchor, hit.top),
        message=hit.message,
        fingerprint=codes.fingerprint(detector.category, hit.anchor, hit.scope, 0),
        scope=hit.scope,
    )


def _external_findings(
    raw: Iterable[ToolFinding], resolver: PositionResolver, codes: StatementCodes
) -> list[DetectorFinding]:
    findings = []
    for item in raw:
        span, node, scope = resolver.statement_at(item.line)
        findings.append(
            DetectorFinding(
                tool=item.tool,
                tools=(item.tool,),
                rule_ids=(item.rule_id,),
                category=item.category,
                cwe=item.cwe,
                severity=item.severity,
                span=span,
                message=item.message,
                fingerprint=codes.fingerprint(item.category, node, scope, item.line),
                scope=scope,
            )
        )
    return findings


class StatementCodes:
    """Each flagged statement's code, normalised once per scan: bandit, ruff and graderlib
    often flag the same statement, and libcst's code generation plus tokenising are most of
    a fingerprint's cost."""

    def __init__(self, module: cst.Module) -> None:
        self.module = module
        self._known: dict[int, tuple[cst.CSTNode, str]] = {}

    def fingerprint(
        self, category: str, statement: cst.CSTNode | None, scope: str, line: int
    ) -> str:
        if statement is None:
            return fingerprint(category, str(line), scope)
        known = self._known.get(id(statement))
        if known is None or known[0] is not statement:
            code = normalized_code(statement_code(self.module, statement))
            known = self._known[id(statement)] = (statement, code)
        return normalized_fingerprint(category, known[1], scope)


def statement_code(module: cst.Module, statement: cst.CSTNode) -> str:
    """The code a fingerprint is made of: the flagged statement, or a compound one's header.

    Every tool's finding on one statement gets the same fingerprint, so a finding that only
    bandit still reports after a patch is recognised as the old one. A compound statement
    counts by its header alone (body replaced by ``pass``): editing a function's body must not
    make its mutable default look new.
    """
    if isinstance(statement, cst.SimpleStatementLine) or not isinstance(statement, ANCHOR_TYPES):
        return module.code_for_node(statement)
    changes: dict[str, object] = {"leading_lines": []}
    if hasattr(statement, "body") and not isinstance(statement, cst.Match):
        changes["body"] = cst.SimpleStatementSuite(body=[cst.Pass()])
    if hasattr(statement, "orelse"):
        changes["orelse"] = None
    if isinstance(statement, cst.Try | cst.TryStar):
        return "try:"
    if isinstance(statement, cst.Else | cst.Finally):
        return type(statement).__name__.lower()
    try:
        return module.code_for_node(statement.with_changes(**changes))
    except cst.CSTValidationError:
        return module.code_for_node(statement)


def _overlaps(left: Span, right: Span) -> bool:
    return left.start <= right.end and right.start <= left.end


def merge(findings: Iterable[DetectorFinding]) -> list[DetectorFinding]:
    """One finding per category and overlapping span; the most precise tool speaks for it.

    graderlib's libcst detectors come first (statement spans, dataflow-aware messages), then
    bandit, then ruff. Every rule id of every tool in a group is kept, as is the most severe
    severity.
    """
    by_category: dict[str, list[DetectorFinding]] = {}
    for finding in findings:
        by_category.setdefault(finding.category, []).append(finding)
    merged: list[DetectorFinding] = []
    for group in by_category.values():
        group.sort(key=lambda f: (f.span.start, f.span.end))
        cluster: list[DetectorFinding] = []
        reach = Span(start=1, end=1)
        for finding in group:
            if cluster and _overlaps(reach, finding.span):
                cluster.append(finding)
                reach = Span(start=reach.start, end=max(reach.end, finding.span.end))
                continue
            if cluster:
                merged.append(_combine(cluster))
            cluster, reach = [finding], finding.span
        if cluster:
            merged.append(_combine(cluster))
    merged.sort(key=lambda f: (f.span.start, f.span.end, f.category, f.rule_ids))
    return merged


def _combine(cluster: list[DetectorFinding]) -> DetectorFinding:
    ranked = sorted(cluster, key=lambda f: (_PRIORITY[f.tool], f.span.start, f.rule_ids))
    primary = ranked[0]
    if len(cluster) == 1:
        return primary
    rule_ids: list[str] = []
    tools: list[Tool] = []
    for finding in ranked:
        for rule_id in finding.rule_ids:
            if rule_id not in rule_ids:
                rule_ids.append(rule_id)
        for tool in finding.tools or (finding.tool,):
            if tool not in tools:
                tools.append(tool)
    severity = max((f.severity for f in cluster), key=lambda s: s.rank)
    cwe = next((f.cwe for f in ranked if f.cwe is not None), None)
    return primary.model_copy(
        update={
            "rule_ids": tuple(rule_ids),
            "tools": tuple(tools),
            "severity": severity,
            "cwe": cwe,
        }
    )
