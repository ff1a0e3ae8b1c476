"""SARIF 2.1.0 output for scan results, readable by GitHub code scanning and by graderlib.

Rules carry their CWE ids as CodeQL-style tags (``external/cwe/cwe-89``) and the taxonomy
category as their ``name``, so :func:`graderlib.findings.findings_from_sarif` reads a log
written here back into the same categories.

Benchmark scorecards and dashboards read only a rule's FIRST CWE tag, so that tag is the
category's primary CWE (the one MITRE's Top 25 and the OWASP Benchmark use, see
``taxonomy.toml``), never the underlying tool's: bandit files ``eval`` under CWE-78 (command
injection) and XML parsers under CWE-20, which a scorer would count as the wrong class. The
tool's own CWE stays in ``properties.toolCwe``. The same answer is also given the SARIF way:
a CWE taxonomy in ``runs[].taxonomies`` and each rule's ``relationships`` to its taxa.

``artifactLocation.uri`` is each path exactly as the user gave it, so a log points at the files
the user knows.
"""

from __future__ import annotations

from collections.abc import Sequence
from importlib import metadata
from typing import Any

from graderlib.detectors.base import DetectorFinding
from graderlib.detectors.families import all_detectors
from graderlib.detectors.scan import ScanResult
from graderlib.taxonomy import Severity, default_taxonomy

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_LEVEL = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "note",
}
# GitHub code scanning reads this property to rank security results.
_SECURITY_SEVERITY = {
    Severity.CRITICAL: "9.5",
    Severity.HIGH: "8.0",
    Severity.MEDIUM: "5.5",
    Severity.LOW: "3.0",
}


def _version() -> str:
    try:
        return metadata.version("graderlib")
    except metadata.PackageNotFoundError:
        return "0"


CWE_TAXONOMY = "CWE"
_CWE_VERSION = "4.14"  # the release graderlib's CWE data comes from (see graderlib.cwe)


def rule_cwes(finding: DetectorFinding) -> list[int]:
    """The category's CWEs, primary first, then the tool's own if it is another one."""
    numbers = list(default_taxonomy().cwes_of(finding.category))
    if finding.cwe is not None and finding.cwe not in numbers:
        numbers.append(finding.cwe)
    return numbers


def cwe_tags(finding: DetectorFinding) -> list[str]:
    return [f"external/cwe/cwe-{n}" for n in rule_cwes(finding)]


def _rule(finding: DetectorFinding, rule_id: str, taxa: dict[int, int]) -> dict[str, Any]:
    taxonomy = default_taxonomy()
    detectors = {d.id: d for d in all_detectors()}
    detector = detectors.get(rule_id)
    description = detector.message if detector is not None else taxonomy.title_of(finding.category)
    kind = "security" if taxonomy.is_security(finding.category) else "correctness"
    cwes = rule_cwes(finding)
    properties: dict[str, Any] = {
        "tags": [kind, *cwe_tags(finding)],
        "category": finding.category,
        "tool": finding.tool,
        "security-severity": _SECURITY_SEVERITY[finding.severity],
    }
    if finding.cwe is not None:
        properties["toolCwe"] = f"CWE-{finding.cwe}"
    relationships = [
        {
            "target": {
                "id": str(cwe),
                "index": taxa.setdefault(cwe, len(taxa)),
                "toolComponent": {"name": CWE_TAXONOMY, "index": 0},
            },
            "kinds": ["superset"],
        }
        for cwe in cwes
    ]
    return {
        "id": rule_id,
        "name": finding.category,
        "shortDescription": {"text": description},
        "fullDescription": {"text": taxonomy.title_of(finding.category)},
        "defaultConfiguration": {"level": _LEVEL[finding.severity]},
        "relationships": relationships,
        "properties": properties,
    }


def _result_properties(finding: DetectorFinding) -> dict[str, Any]:
    """Per result: a rule such as GL117 covers two CWEs (no HttpOnly, no Secure); ``cwe``
    says which one this finding is. Only a CWE that resolves to the finding's category is stated,
    since SARIF readers (ours included) take a result's CWE over its rule's."""
    properties: dict[str, Any] = {
        "category": finding.category,
        "ruleIds": list(finding.rule_ids),
        "tools": list(finding.tools or (finding.tool,)),
        "severity": finding.severity.value,
    }
    cwe = f"CWE-{finding.cwe}"
    if finding.cwe is not None and default_taxonomy().try_resolve(cwe) == finding.category:
        properties["cwe"] = cwe
    return properties


def _cwe_taxonomy(taxa: dict[int, int]) -> dict[str, Any]:
    """The CWE toolComponent that rules' relationships point into, one taxon per CWE used."""
    taxonomy = default_taxonomy()
    return {
        "name": CWE_TAXONOMY,
        "version": _CWE_VERSION,
        "organization": "MITRE",
        "shortDescription": {"text": "The MITRE Common Weakness Enumeration"},
        "informationUri": "https://cwe.mitre.org/data/downloads.html",
        "isComprehensive": False,
        "taxa": [
            {
                "id": str(cwe),
                "name": taxonomy.title_of(f"CWE-{cwe}"),
                "helpUri": f"https://cwe.mitre.org/data/definitions/{cwe}.html",
            }
            for cwe, _ in sorted(taxa.items(), key=lambda item: item[1])
        ],
    }


def to_sarif(results: Sequence[ScanResult], *, include_suppressed: bool = False) -> dict[str, Any]:
    """One SARIF run over every scanned file; unparsable files become notifications.

    ``include_suppressed``: also emit the bandit/ruff findings that consensus overruled, each
    with a SARIF ``suppressions`` entry (kind ``external``, status ``accepted``, the reason as
    its justification), which SARIF readers (GitHub code scanning, graderlib's scorecard) know
    to set aside. Off by default, so that a reader that ignores ``suppressions`` is not misled.
    """
    rules: list[dict[str, Any]] = []
    rule_index: dict[str, int] = {}
    taxa: dict[int, int] = {}  # CWE -> its index in the CWE taxonomy's taxa
    sarif_results: list[dict[str, Any]] = []
    notifications: list[dict[str, Any]] = []

    def add(path: str, finding: DetectorFinding, suppressed_because: str | None) -> None:
        rule_id = finding.rule_ids[0]
        if rule_id not in rule_index:
            rule_index[rule_id] = len(rules)
            rules.append(_rule(finding, rule_id, taxa))
        entry: dict[str, Any] = {
            "ruleId": rule_id,
            "ruleIndex": rule_index[rule_id],
            "level": _LEVEL[finding.severity],
            "message": {"text": finding.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": path},
                        "region": {"startLine": finding.span.start, "endLine": finding.span.end},
                    }
                }
            ],
            "partialFingerprints": {"graderlib/v1": finding.fingerprint},
            "properties": _result_properties(finding),
        }
        if suppressed_because is not None:
            entry["suppressions"] = [
                {"kind": "external", "status": "accepted", "justification": suppressed_because}
            ]
        sarif_results.append(entry)

    for result in results:
        for finding in result.findings:
            add(result.path, finding, None)
        for item in result.suppressed if include_suppressed else ():
            add(result.path, item.finding, f"graderlib consensus: {item.reason}")
        problems = ([result.syntax_error] if result.syntax_error else []) + list(result.tool_errors)
        for problem in problems:
            notifications.append(
                {
                    "level": "error",
                    "message": {"text": problem},
                    "locations": [{"physicalLocation": {"artifactLocation": {"uri": result.path}}}],
                }
            )
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "graderlib",
                        "version": _version(),
                        "informationUri": "https://github.com/graderlib/graderlib",
                        "rules": rules,
                    }
                },
                "invocations": [
                    {
                        "executionSuccessful": not notifications,
                        "toolExecutionNotifications": notifications,
                    }
                ],
                "results": sarif_results,
                "taxonomies": [_cwe_taxonomy(taxa)],
            }
        ],
    }
