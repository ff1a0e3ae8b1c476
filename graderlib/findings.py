"""What an agent (or a tool) reports, and reading it from Python, JSON or SARIF 2.1.0.

A :class:`Finding` stores its category in canonical form: any alias (``B608``, ``S608``,
``CWE-89``, ``sqli``) is resolved on construction, so the grader never has to care how a
category was spelled. A name nothing explains is rejected with suggestions, because silently
grading an unknown category as a false positive would punish a typo, not a wrong answer.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from graderlib.nesting import MAX_DOCUMENT_DEPTH, deeper_than
from graderlib.taxonomy import Severity, UnknownCategoryError, cwe_number, default_taxonomy

MAX_FINDINGS = 100_000
MAX_INPUT_BYTES = 64 * 1024 * 1024
MAX_TEXT = 20_000


class FindingsError(ValueError):
    """Findings that cannot be read; the message says which one and what was wrong."""


class Finding(BaseModel):
    """One reported issue: where it is, what it is, and why."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    line: int = Field(ge=1, le=10_000_000)
    end_line: int | None = Field(default=None, ge=1, le=10_000_000)
    category: str = Field(min_length=1, max_length=300)
    severity: Severity | None = None
    message: str = Field(default="", max_length=MAX_TEXT)
    recommendation: str | None = Field(default=None, max_length=MAX_TEXT)
    file: str | None = Field(default=None, max_length=4096)
    rule_id: str | None = Field(default=None, max_length=300)

    @field_validator("category")
    @classmethod
    def _canonical_category(cls, value: str) -> str:
        try:
            return default_taxonomy().resolve(value)
        except UnknownCategoryError as error:
            raise ValueError(str(error)) from None

    @field_validator("severity", mode="before")
    @classmethod
    def _lower_severity(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _ordered_lines(self) -> Finding:
        if self.end_line is not None and self.end_line < self.line:
            raise ValueError(f"end_line {self.end_line} is before line {self.line}")
        return self

    @property
    def last_line(self) -> int:
        return self.end_line if self.end_line is not None else self.line


def _error_text(error: ValidationError, prefix: str) -> str:
    parts = []
    for item in error.errors()[:5]:
        field = ".".join(str(p) for p in item["loc"])
        message = str(item["msg"]).removeprefix("Value error, ")
        parts.append(f"{prefix}{'.' + field if field else ''}: {message}")
    more = len(error.errors()) - 5
    return "; ".join(parts) + (f" (and {more} more)" if more > 0 else "")


def _too_deep() -> FindingsError:
    return FindingsError(f"nested deeper than {MAX_DOCUMENT_DEPTH} levels of lists and objects")


def parse_findings(data: Any) -> list[Finding]:
    """Findings from already-decoded JSON: ``{"findings": [...]}``, a bare list, or Findings."""
    if deeper_than(data):
        raise _too_deep()
    if isinstance(data, Mapping):
        unknown = set(data) - {"findings"}
        if "findings" not in data:
            raise FindingsError('expected {"findings": [...]} or a list of findings')
        if unknown:
            raise FindingsError(f"unknown top-level keys: {sorted(unknown)}")
        data = data["findings"]
    if not isinstance(data, list):
        raise FindingsError(f"findings must be a list, not {type(data).__name__}")
    if len(data) > MAX_FINDINGS:
        raise FindingsError(f"too many findings: {len(data)} (limit {MAX_FINDINGS})")
    findings: list[Finding] = []
    errors: list[str] = []
    for index, item in enumerate(data):
        if isinstance(item, Finding):
            findings.append(item)
            continue
        if not isinstance(item, Mapping):
            errors.append(f"findings[{index}]: expected an object, got {type(item).__name__}")
            continue
        try:
            findings.append(Finding.model_validate(item))
        except ValidationError as error:
            errors.append(_error_text(error, f"findings[{index}]"))
        if len(errors) >= 10:
            break
    if errors:
        raise FindingsError("; ".join(errors))
    return findings


# ------------------------------------------------------------------------------- SARIF

_LEVEL_SEVERITY = {"error": "high", "warning": "medium", "note": "low", "none": "low"}


def sarif_suppression(result: Mapping[str, Any]) -> str | None:
    """Why a SARIF result is suppressed (its first accepted suppression), or None.

    SARIF 2.1.0 (section 3.27.23) keeps suppressed results in the log, marked by a
    ``suppressions`` array: semgrep writes ``nosemgrep`` findings this way, CodeQL its
    alert suppressions, graderlib ``scan --sarif --all`` what consensus overruled. A result is
    suppressed when one of its suppressions is accepted (a missing ``status`` means accepted);
    ``underReview`` and ``rejected`` ones leave it standing.
    """
    suppressions = result.get("suppressions")
    if not isinstance(suppressions, list):
        return None
    for suppression in suppressions:
        if not isinstance(suppression, Mapping):
            continue
        if suppression.get("status", "accepted") != "accepted":
            continue
        kind = suppression.get("kind")
        justification = suppression.get("justification")
        why = f"{kind} suppression" if isinstance(kind, str) else "suppression"
        if isinstance(justification, str) and justification:
            why += f": {justification[:200]}"
        return why
    return None


def sarif_rules(run: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """A run's rules by id, from the driver and every extension (CodeQL puts them there)."""
    driver = (run.get("tool") or {}).get("driver") or {}
    rules: dict[str, Mapping[str, Any]] = {}
    for component in [driver, *((run.get("tool") or {}).get("extensions") or [])]:
        for rule in component.get("rules") or []:
            if isinstance(rule, Mapping) and isinstance(rule.get("id"), str):
                rules[rule["id"]] = rule
    return rules


def cwe_candidates(*bags: Any) -> Iterable[str]:
    """CWE ids as bandit, ruff, semgrep and CodeQL write them in tags and properties."""
    for bag in bags:
        if not isinstance(bag, Mapping):
            continue
        for tag in bag.get("tags") or []:
            if isinstance(tag, str) and cwe_number(tag.split(":")[0]) is not None:
                yield tag.split(":")[0]
        for key in ("cwe", "cwe_id", "issue_cwe"):
            value = bag.get(key)
            if isinstance(value, Mapping):
                value = value.get("id")
            values = value if isinstance(value, list) else [value]
            for item in values:
                if isinstance(item, int):
                    yield f"CWE-{item}"
                elif isinstance(item, str):
                    yield item if cwe_number(item.split(":")[0]) is None else item.split(":")[0]


def taxa_cwes(references: Any, run: Mapping[str, Any]) -> Iterable[str]:
    """CWE ids from SARIF taxa references (``result.taxa``, a rule's ``relationships``)."""
    components = [c for c in run.get("taxonomies") or [] if isinstance(c, Mapping)]
    for reference in references if isinstance(references, list) else []:
        if not isinstance(reference, Mapping):
            continue
        target = reference.get("target", reference)  # a relationship wraps its reference
        if not isinstance(target, Mapping) or not isinstance(target.get("id"), str | int):
            continue
        component = target.get("toolComponent") or {}
        name = component.get("name") if isinstance(component, Mapping) else None
        index = component.get("index") if isinstance(component, Mapping) else None
        if name is None and isinstance(index, int) and 0 <= index < len(components):
            name = components[index].get("name")
        taxon = str(target["id"])
        if str(name).upper() == "CWE" or cwe_number(taxon) is not None:
            yield taxon if cwe_number(taxon) is not None else f"CWE-{taxon}"


def sarif_category(
    result: Mapping[str, Any], rule: Mapping[str, Any], run: Mapping[str, Any]
) -> str | None:
    """The category of one result, most specific claim first: the result's own CWE (its
    ``taxa``, then ``properties.cwe``), the rule's id or name, the rule's CWE taxa, and last
    the rule's CWE tags, whose order not every tool gets right."""
    taxonomy = default_taxonomy()
    result_properties = result.get("properties")
    result_cwe = result_properties if isinstance(result_properties, Mapping) else {}
    claims: list[Iterable[str]] = [
        taxa_cwes(result.get("taxa"), run),
        cwe_candidates({k: v for k, v in result_cwe.items() if k != "tags"}),
    ]
    rule_id = result.get("ruleId") or rule.get("id")
    names = [rule_id, rule.get("name")]
    if isinstance(rule_id, str) and "." in rule_id:
        names.append(rule_id.rsplit(".", 1)[-1])
    claims.append(name for name in names if isinstance(name, str))
    claims.append(taxa_cwes(rule.get("relationships"), run))
    claims.append(cwe_candidates(result_properties, rule.get("properties")))
    for claim in claims:
        for name in claim:
            if resolved := taxonomy.try_resolve(name):
                return resolved
    return None


def findings_from_sarif(document: Any) -> list[Finding]:
    """Findings from a SARIF 2.1.0 log (bandit, ruff, semgrep, CodeQL and graderlib's own).

    The category comes from the result's own CWE (``taxa``, ``properties.cwe``), else the rule
    id (an alias), else the rule's name, else the rule's CWE taxa (``relationships``), else a
    CWE in the tags. A result none of these explains is an error that lists
    the rule ids, so a user can add aliases instead of losing findings silently. A result the
    tool marked suppressed (:func:`sarif_suppression`) is not a finding and is skipped.
    """
    if not isinstance(document, Mapping) or not isinstance(document.get("runs"), list):
        raise FindingsError("not a SARIF log: expected an object with a 'runs' list")
    if deeper_than(document):
        raise _too_deep()
    raw: list[dict[str, Any]] = []
    unknown: set[str] = set()
    for run_index, run in enumerate(document["runs"]):
        if not isinstance(run, Mapping):
            raise FindingsError(f"runs[{run_index}] is not an object")
        rules = sarif_rules(run)
        for result_index, result in enumerate(run.get("results") or []):
            where = f"runs[{run_index}].results[{result_index}]"
            if not isinstance(result, Mapping):
                raise FindingsError(f"{where} is not an object")
            if sarif_suppression(result) is not None:
                continue  # the tool itself withdrew it: not a finding
            rule = rules.get(str(result.get("ruleId")), {})
            category = sarif_category(result, rule, run)
            if category is None:
                unknown.add(str(result.get("ruleId") or rule.get("name") or where))
                continue
            locations = result.get("locations") or []
            physical = (locations[0] or {}).get("physicalLocation") or {} if locations else {}
            region = physical.get("region") or {}
            if not isinstance(region.get("startLine"), int):
                raise FindingsError(f"{where}: no locations[0].physicalLocation.region.startLine")
            message = result.get("message") or {}
            raw.append(
                {
                    "line": region["startLine"],
                    "end_line": region.get("endLine"),
                    "category": category,
                    "severity": _LEVEL_SEVERITY.get(str(result.get("level", "warning"))),
                    "message": str(message.get("text") or message.get("markdown") or "")[:MAX_TEXT],
                    "file": (physical.get("artifactLocation") or {}).get("uri"),
                    "rule_id": result.get("ruleId"),
                }
            )
    if unknown:
        shown = ", ".join(sorted(unknown)[:10])
        raise FindingsError(f"SARIF results with rules no category explains: {shown}")
    return parse_findings(raw)


def load_findings(path: str | Path) -> list[Finding]:
    """Read findings from a ``.json`` or ``.sarif`` file (SARIF is also sniffed by content)."""
    file = Path(path)
    try:
        if file.stat().st_size > MAX_INPUT_BYTES:
            raise FindingsError(f"{file}: larger than {MAX_INPUT_BYTES} bytes")
        document = json.loads(file.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise FindingsError(f"{file}: no such file") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise FindingsError(f"{file}: not valid JSON ({error})") from None
    except RecursionError:  # json's C decoder recurses once per level
        raise FindingsError(f"{file}: {_too_deep()}") from None
    except OSError as error:
        raise FindingsError(f"{file}: cannot read ({error.strerror})") from None
    try:
        if isinstance(document, Mapping) and "runs" in document:
            return findings_from_sarif(document)
        return parse_findings(document)
    except FindingsError as error:
        raise FindingsError(f"{file}: {error}") from None
