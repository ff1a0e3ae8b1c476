"""SARIF from `graderlib scan --sarif` is valid 2.1.0 and reads back into the same findings."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from graderlib.cli import main
from graderlib.detectors import scan
from graderlib.findings import findings_from_sarif
from graderlib.sarif import to_sarif

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
