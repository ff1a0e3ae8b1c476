"""Precision by consensus: where graderlib's dataflow has the answer, bandit and ruff defer to it.

Bandit's B608 and ruff's S608 flag every string that looks like SQL; B602-B607 every
subprocess; B405-B411 every XML import. For the categories below, a graderlib detector looks
at each sink and classifies its argument; when it judged the sink at a statement SAFE (or
not from the request, for sinks that are everywhere in benign code), the other tools'
findings of that category on that statement are dropped from the result. They are kept,
with the reason, in ``ScanResult.suppressed`` (``graderlib scan --all`` prints them).

One rule, stated once (:func:`arbitrate`). A finding of bandit or ruff is suppressed when:

1. its category is in :data:`ARBITRATED`, and
2. no graderlib finding of that category overlaps its statement, and
3. either a graderlib detector cleared a sink of that category on an overlapping statement,
   or the statement is an ``import`` (an import is not a sink; graderlib judges each use).

Where graderlib has no detector for a category, bandit's and ruff's findings stand.
"""

from __future__ import annotations

from collections.abc import Iterable

from pydantic import BaseModel, ConfigDict

from graderlib.detectors.base import DetectorFinding
from graderlib.locate import Span

#: category -> what graderlib judges there (the README's table is checked against this).
ARBITRATED: dict[str, str] = {
    "sql-injection": "every execute/text/raw call: is the query built from non-constant data?",
    "command-injection": "every shell/process call: a shell with a non-constant command?",
    "code-injection": "every eval/exec/compile: non-constant text?",
    "path-traversal": "every open/send_file/remove and pathlib read: a path from the request?",
    "ssrf": "every HTTP fetch: a URL from the request without an allow-list?",
    "open-redirect": "every redirect and Location header: a target from the request?",
    "xss": "every HTML response and mark_safe: request data without escaping?",
    "unsafe-deserialization": "every pickle/yaml/marshal load: data, or a trusted constant?",
    "xxe": "every XML parser and parse: resolves or expands entities, on a document from outside?",
    "weak-hash": "every fast hash: of a password, of a secret, or a checksum?",
    "weak-random": "every random call: named, stored or sent as a secret (token, code, id, key, "
    "cookie, header, session), or not?",
    "hardcoded-secret": "every credential-named slot: is the literal a credential?",
    "weak-key": "every RSA/DSA/DH/EC key generation: a size or curve it can read, and how strong?",
}


class SuppressedFinding(BaseModel):
    """A tool's finding that graderlib's dataflow overruled, and why."""

    model_config = ConfigDict(frozen=True)

    finding: DetectorFinding
    reason: str


class Clearance(BaseModel):
    """A sink a graderlib detector examined and judged safe, on ``span``."""

    model_config = ConfigDict(frozen=True)

    detector: str
    category: str
    span: Span
    reason: str


def _overlaps(left: Span, right: Span) -> bool:
    return left.start <= right.end and right.start <= left.end


def arbitrate(
    findings: Iterable[DetectorFinding],
    clearances: Iterable[Clearance],
    imports: Iterable[Span] = (),
) -> tuple[list[DetectorFinding], list[SuppressedFinding]]:
    """Split the findings into those that stand and those graderlib's dataflow overruled."""
    findings = list(findings)
    cleared: dict[str, list[Clearance]] = {}
    for clearance in clearances:
        cleared.setdefault(clearance.category, []).append(clearance)
    import_spans = list(imports)
    ours: dict[str, list[Span]] = {}
    for finding in findings:
        if finding.tool == "graderlib":
            ours.setdefault(finding.category, []).append(finding.span)
    kept: list[DetectorFinding] = []
    suppressed: list[SuppressedFinding] = []
    for finding in findings:
        reason = None
        category = finding.category
        agreed = any(_overlaps(s, finding.span) for s in ours.get(category, ()))
        if finding.tool != "graderlib" and category in ARBITRATED and not agreed:
            reason = _reason(finding, cleared.get(category, ()), import_spans)
        if reason is None:
            kept.append(finding)
        else:
            suppressed.append(SuppressedFinding(finding=finding, reason=reason))
    return kept, suppressed


def _reason(
    finding: DetectorFinding, cleared: Iterable[Clearance], imports: list[Span]
) -> str | None:
    for clearance in cleared:
        if _overlaps(clearance.span, finding.span):
            return f"graderlib {clearance.detector}: {clearance.reason}"
    if any(_overlaps(span, finding.span) for span in imports):
        return f"an import is not a sink: graderlib judges each use of {finding.category}"
    return None
