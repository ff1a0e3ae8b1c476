"""Reading findings from Python, JSON and SARIF 2.1.0 (real ruff output included)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from graderlib import Finding, FindingsError, findings_from_sarif, grade, load_findings, load_task
from graderlib.findings import parse_findings
from tests.grading_support import FIXTURES


def test_finding_resolves_aliases_to_canonical_categories() -> None:
    assert Finding(line=3, category="B608").category == "sql-injection"
    assert Finding(line=3, category="SQL Injection").category == "sql-injection"
    assert Finding(line=3, category="CWE-943").category == "CWE-943"


@pytest.mark.parametrize(
    ("item", "message"),
    [
        ({"line": 0, "category": "sqli"}, "greater than or equal to 1"),
        ({"line": 3, "category": "sqlinj"}, "did you mean 'sql-injection'"),
        ({"line": 3, "end_line": 2, "category": "sqli"}, "before line 3"),
        ({"line": "x", "category": "sqli"}, "line"),
        ({"line": 3, "category": "sqli", "confidence": 0.9}, "confidence"),
        ({"line": 3, "category": "sqli", "severity": "urgent"}, "severity"),
        ({"category": "sqli"}, "line"),
    ],
)
def test_bad_findings_name_the_finding_and_the_field(item: dict, message: str) -> None:
    with pytest.raises(FindingsError) as caught:
        parse_findings({"findings": [{"line": 1, "category": "xss"}, item]})
    assert "findings[1]" in str(caught.value)
    assert message in str(caught.value)


def test_json_shapes_and_file_errors(tmp_path: Path) -> None:
    bare = tmp_path / "bare.json"
    bare.write_text(json.dumps([{"line": 2, "category": "xss", "severity": "HIGH"}]))
    assert load_findings(bare)[0].severity == "high"
    wrapped = tmp_path / "wrapped.json"
    wrapped.write_text(json.dumps({"findings": [{"line": 2, "category": "xss"}]}))
    assert load_findings(wrapped)[0].category == "xss"
    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    with pytest.raises(FindingsError, match=r"broken\.json: not valid JSON"):
        load_findings(broken)
    with pytest.raises(FindingsError, match="no such file"):
        load_findings(tmp_path / "absent.json")
    with pytest.raises(FindingsError, match="unknown top-level keys"):
        parse_findings({"findings": [], "extra": 1})
    with pytest.raises(FindingsError, match="must be a list"):
        parse_findings({"findings": "all of them"})
    with pytest.raises(ValidationError):
        Finding(line=1, category="xss", message="x" * 100_000)


def test_real_ruff_sarif_grades_against_a_task(tmp_path: Path) -> None:
    task = load_task(FIXTURES / "user_repo")
    snippet = tmp_path / "snippet.py"
    snippet.write_text(task.source)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--no-cache",
            "--isolated",
            "--select",
            "S324,B006,SIM115",
            "--output-format",
            "sarif",
            str(snippet),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    sarif = tmp_path / "ruff.sarif"
    sarif.write_text(run.stdout)
    findings = load_findings(sarif)
    assert {f.category for f in findings} >= {"weak-hash", "mutable-default-argument"}
    assert all(f.file and f.file.endswith("snippet.py") for f in findings)
    report = grade(task, findings)
    assert {"weak-hash", "mutable-default-argument"} <= set(report.matched_categories)


def codeql_style_sarif() -> dict:
    return {
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "CodeQL",
                        "rules": [
                            {
                                "id": "py/sql-injection-custom",
                                "name": "py/sql-injection-custom",
                                "properties": {"tags": ["security", "external/cwe/cwe-089"]},
                            },
                            {
                                "id": "semgrep.custom.rule",
                                "properties": {
                                    "tags": [
                                        "CWE-327: Use of a Broken or Risky Cryptographic Algorithm"
                                    ]
                                },
                            },
                        ],
                    }
                },
                "results": [
                    {
                        "ruleId": "py/sql-injection-custom",
                        "level": "error",
                        "message": {"text": "This SQL query depends on a user-provided value."},
                        "locations": [
                            {
                                "physicalLocation": {
                                    "artifactLocation": {"uri": "snippet.py"},
                                    "region": {"startLine": 11, "endLine": 11},
                                }
                            }
                        ],
                    },
                    {
                        "ruleId": "semgrep.custom.rule",
                        "level": "note",
                        "message": {"text": "md5 is broken"},
                        "locations": [
                            {
                                "physicalLocation": {
                                    "artifactLocation": {"uri": "src/snippet.py"},
                                    "region": {"startLine": 26},
                                }
                            }
                        ],
                    },
                ],
            }
        ],
    }


def test_sarif_cwe_from_codeql_and_semgrep_tags() -> None:
    findings = findings_from_sarif(codeql_style_sarif())
    assert [(f.line, f.category, f.severity) for f in findings] == [
        (11, "sql-injection", "high"),
        (26, "weak-cipher", "low"),
    ]
    report = grade(load_task(FIXTURES / "user_repo"), findings)
    assert report.verdicts[0].status == "matched"
    # weak-cipher (CWE-327) is the CWE parent of weak-hash (CWE-328): partial credit.
    assert report.verdicts[1].relation == "parent_child"


def test_sarif_with_unexplained_rules_lists_them() -> None:
    document = codeql_style_sarif()
    document["runs"][0]["results"][0]["ruleId"] = "E501"
    document["runs"][0]["tool"]["driver"]["rules"] = []
    with pytest.raises(FindingsError, match="E501"):
        findings_from_sarif(document)
    with pytest.raises(FindingsError, match="not a SARIF log"):
        findings_from_sarif({"version": "2.1.0"})


def test_findings_in_another_file_are_false_positives() -> None:
    task = load_task(FIXTURES / "user_repo")
    finding = Finding(line=11, category="sqli", message="formatted query here", file="other.py")
    verdict = grade(task, [finding]).verdicts[0]
    assert verdict.status == "false_positive"
    assert "not the reviewed file" in verdict.reason


def test_a_copy_in_another_file_does_not_shadow_the_real_finding() -> None:
    task = load_task(FIXTURES / "user_repo")
    here = Finding(line=11, category="sqli", message="formatted query here", file="snippet.py")
    there = here.model_copy(update={"file": "other.py"})
    for findings in ([there, here], [here, there]):
        statuses = {v.index: v.status for v in grade(task, findings).verdicts}
        assert statuses[findings.index(here)] == "matched"
        assert statuses[findings.index(there)] == "false_positive"


# ----------------------------------------------------------- bad input at any depth


def _nested(levels: int) -> str:
    return "[" * levels + "]" * levels


@pytest.mark.parametrize(
    "text",
    [
        _nested(100_000),  # breaks json's recursive decoder
        '{"findings": ' + _nested(70) + "}",  # decodes, but deeper than the limit
        '{"runs": [{"results": [], "properties": {"x": ' + _nested(70) + "}}]}",  # SARIF
    ],
    ids=["json-decoder", "findings", "sarif"],
)
def test_findings_nested_beyond_the_limit_are_a_findings_error(tmp_path: Path, text: str) -> None:
    path = tmp_path / "deep.json"
    path.write_text(text)
    with pytest.raises(FindingsError, match="nested deeper than 64 levels"):
        load_findings(path)


def test_deep_findings_in_python_are_refused_before_validation() -> None:
    deep: list[object] = []
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(FindingsError, match="nested deeper than 64"):
        parse_findings({"findings": deep})


def test_grade_cli_exits_2_with_one_line_on_deeply_nested_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from graderlib.cli import main

    path = tmp_path / "deep.json"
    path.write_text(_nested(100_000))
    assert main(["grade", str(FIXTURES / "user_repo"), str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert "nested deeper than 64 levels" in err and "\n" not in err
    assert "Traceback" not in err and "RecursionError" not in err
