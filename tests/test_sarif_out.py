"""SARIF from `graderlib scan --sarif` is valid 2.1.0 and reads back into the same findings."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from graderlib.cli import main
from graderlib.detectors import scan
from graderlib.detectors.base import DetectorFinding
from graderlib.detectors.scan import ScanResult
from graderlib.findings import findings_from_sarif
from graderlib.locate import Span
from graderlib.sarif import to_sarif
from graderlib.taxonomy import Severity, default_taxonomy

FIXTURE = Path(__file__).parent / "fixtures" / "detectors" / "vulnerable_app.py"
# The official schema lives beside the checkout in ../shared/data and is never copied into the
# repo; GRADERLIB_SHARED_DATA points elsewhere when the checkout is not beside it.
SHARED_DATA = Path(
    os.environ.get("GRADERLIB_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)
SCHEMA = SHARED_DATA / "sarif-schema-2.1.0.json"


def _schema() -> dict[str, object]:
    if not SCHEMA.exists():
        pytest.skip(f"the SARIF 2.1.0 schema is not at {SCHEMA} (it is never copied into the repo)")
    loaded: dict[str, object] = json.loads(SCHEMA.read_text())
    return loaded


def test_sarif_validates_against_the_official_schema(capsys: pytest.CaptureFixture[str]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = _schema()
    broken = FIXTURE.parent / "does_not_parse.py"
    assert main(["scan", "--sarif", str(FIXTURE), str(broken)]) == 1
    log = json.loads(capsys.readouterr().out)
    jsonschema.validate(log, schema)
    (run,) = log["runs"]
    assert run["results"], "the fixture has findings"
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for r in run["results"]
    }
    assert uris == {str(FIXTURE)}  # the path exactly as given
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert "external/cwe/cwe-89" in rules["GL101"]["properties"]["tags"]
    assert "external/cwe/cwe-78" in rules["GL102"]["properties"]["tags"]
    notes = run["invocations"][0]["toolExecutionNotifications"]
    assert any(str(broken) in n["message"]["text"] for n in notes)


def test_sarif_reads_back_into_the_same_categories_and_lines() -> None:
    result = scan(FIXTURE.read_text(), path="app.py")
    back = findings_from_sarif(to_sarif([result]))
    assert [(f.category, f.line, f.rule_id) for f in back] == [
        (f.category, f.span.start, f.rule_ids[0]) for f in result.findings
    ]


# ----------------------------------------------------------- the CWE a scorer reads first


def _finding_of(category: str, tool_cwe: int) -> DetectorFinding:
    return DetectorFinding(
        tool="bandit",
        tools=("bandit",),
        rule_ids=(f"X-{category}",),
        category=category,
        cwe=tool_cwe,
        severity=Severity.MEDIUM,
        span=Span(start=1, end=1),
        message=category,
        fingerprint=category,
    )


def test_every_rules_first_cwe_tag_is_its_categorys_primary_cwe() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    taxonomy = default_taxonomy()
    categories = [c for c in taxonomy if c.primary_cwe is not None]
    assert len(categories) == len(taxonomy)  # every category names a CWE
    # the tool's own CWE is deliberately another one (bandit: eval -> CWE-78)
    findings = [_finding_of(c.id, 78 if c.primary_cwe != 78 else 20) for c in categories]
    log = to_sarif([ScanResult(path="app.py", findings=tuple(findings))])
    jsonschema.validate(log, _schema())
    (run,) = log["runs"]
    (cwe_component,) = run["taxonomies"]
    taxa = [int(t["id"]) for t in cwe_component["taxa"]]
    assert cwe_component["name"] == "CWE"
    for rule, category, finding in zip(
        run["tool"]["driver"]["rules"], categories, findings, strict=True
    ):
        tags = [t for t in rule["properties"]["tags"] if t.startswith("external/cwe/")]
        assert tags[0] == f"external/cwe/cwe-{category.primary_cwe}", category.id
        assert tags[: len(category.cwe)] == [f"external/cwe/cwe-{n}" for n in category.cwe]
        assert rule["properties"]["toolCwe"] == f"CWE-{finding.cwe}"
        targets = [r["target"] for r in rule["relationships"]]
        assert targets[0]["id"] == str(category.primary_cwe)
        assert all(taxa[t["index"]] == int(t["id"]) for t in targets)
        assert all(t["toolComponent"] == {"name": "CWE", "index": 0} for t in targets)
    back = findings_from_sarif(log)
    assert [f.category for f in back] == [c.id for c in categories]


def test_bandits_own_cwe_no_longer_comes_first() -> None:
    source = (
        "import hashlib\nimport xml.dom.minidom\n"
        "digest = hashlib.md5(b'x')\n"
        "value = eval(input())\n"
        "tree = xml.dom.minidom.parseString(input())\n"
    )
    log = to_sarif([scan(source, ("bandit",), path="app.py")])
    first = {}
    for rule in log["runs"][0]["tool"]["driver"]["rules"]:
        tags = [t for t in rule["properties"]["tags"] if t.startswith("external/cwe/")]
        first[rule["id"]] = (tags[0], rule["properties"]["toolCwe"])
    assert first["B324"] == ("external/cwe/cwe-328", "CWE-327")  # weak hash, not "broken crypto"
    assert first["B307"] == ("external/cwe/cwe-94", "CWE-78")  # eval: code, not command injection
    assert first["B318"] == ("external/cwe/cwe-611", "CWE-20")  # XXE, not input validation


def _log(result: dict[str, object], rule: dict[str, object]) -> dict[str, object]:
    return {
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "scanner", "rules": [rule]}},
                "taxonomies": [{"name": "CWE", "taxa": [{"id": "611"}]}],
                "results": [
                    {
                        "ruleId": rule["id"],
                        "message": {"text": "m"},
                        "locations": [{"physicalLocation": {"region": {"startLine": 3}}}],
                        **result,
                    }
                ],
            }
        ],
    }


def test_a_sarif_result_claiming_a_mitre_category_reads() -> None:
    rule = {"id": "crypto.rule", "properties": {"tags": ["CWE-310: Cryptographic Issues"]}}
    (finding,) = findings_from_sarif(_log({}, rule))
    assert finding.category == "CWE-310"


def test_result_level_cwe_is_read_before_the_rule_and_its_tags() -> None:
    rule = {"id": "generic.rule", "properties": {"tags": ["external/cwe/cwe-78"]}}
    taxa = {"taxa": [{"id": "89", "toolComponent": {"name": "CWE"}}]}
    assert [f.category for f in findings_from_sarif(_log(taxa, rule))] == ["sql-injection"]
    cwe = {"properties": {"cwe": "CWE-918"}}
    assert [f.category for f in findings_from_sarif(_log(cwe, rule))] == ["ssrf"]
    assert [f.category for f in findings_from_sarif(_log({}, rule))] == ["command-injection"]


def test_a_rules_cwe_relationships_are_read_the_sarif_way() -> None:
    rule = {
        "id": "opaque.rule",
        "relationships": [{"target": {"id": "611", "index": 0, "toolComponent": {"index": 0}}}],
    }
    assert [f.category for f in findings_from_sarif(_log({}, rule))] == ["xxe"]


def test_overruled_findings_go_to_sarif_as_suppressed_results_under_all(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`scan --sarif --all` keeps what consensus overruled, marked the SARIF way; readers of
    the log (graderlib's own included) set those results aside."""
    jsonschema = pytest.importorskip("jsonschema")
    target = tmp_path / "app.py"
    target.write_text(
        "TABLE = 'users'\n"
        "def find(cur, uid):\n"
        "    query = 'SELECT * FROM ' + TABLE + ' WHERE id = ?'\n"
        "    cur.execute(query, (uid,))\n"
    )
    assert main(["scan", "--sarif", str(target)]) == 0
    assert json.loads(capsys.readouterr().out)["runs"][0]["results"] == []
    assert main(["scan", "--sarif", "--all", str(target)]) == 0
    log = json.loads(capsys.readouterr().out)
    jsonschema.validate(log, _schema())
    results = log["runs"][0]["results"]
    assert results and {r["ruleId"] for r in results} <= {"B608", "S608"}
    for result in results:
        (suppression,) = result["suppressions"]
        assert suppression["kind"] == "external" and suppression["status"] == "accepted"
        assert suppression["justification"].startswith("graderlib consensus: graderlib GL101:")
    assert findings_from_sarif(log) == []
    standing = dict(results[0], suppressions=[{"kind": "external", "status": "rejected"}])
    assert len(findings_from_sarif({"runs": [dict(log["runs"][0], results=[standing])]})) == 1
