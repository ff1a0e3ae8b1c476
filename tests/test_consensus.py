"""Precision by consensus: bandit and ruff defer to graderlib's dataflow where it has the answer."""

from __future__ import annotations

import re
from pathlib import Path

from graderlib.detectors import all_detectors, scan
from graderlib.detectors.consensus import ARBITRATED

SAFE_SQL = (
    "TABLE = 'users'\n"
    "def find(cur, uid):\n"
    "    query = 'SELECT * FROM ' + TABLE + ' WHERE id = ?'\n"
    "    cur.execute(query, (uid,))\n"
)
UNSAFE_SQL = (
    "def find(cur, uid):\n"
    "    query = 'SELECT * FROM users WHERE id = ' + uid\n"
    "    cur.execute(query)\n"
)


def test_bandit_and_ruff_sql_findings_on_a_statement_graderlib_cleared_are_suppressed() -> None:
    alone = scan(SAFE_SQL, ("bandit", "ruff"))
    assert "sql-injection" in alone.categories  # B608/S608 flag the concatenation
    merged = scan(SAFE_SQL)
    assert "sql-injection" not in merged.categories
    assert merged.suppressed
    for item in merged.suppressed:
        assert item.finding.category == "sql-injection"
        assert item.finding.tool in {"bandit", "ruff"}
        assert item.reason.startswith("graderlib GL101:")


def test_a_finding_graderlib_agrees_with_keeps_every_tools_rule_id() -> None:
    merged = scan(UNSAFE_SQL)
    sql = [f for f in merged.findings if f.category == "sql-injection"]
    assert sql and "GL101" in {r for f in sql for r in f.rule_ids}
    assert not [s for s in merged.suppressed if s.finding.category == "sql-injection"]


def test_imports_are_not_sinks_of_an_arbitrated_category() -> None:
    code = "import subprocess\nimport pickle\nsubprocess.run(['ls'], check=True)\n"
    assert {"command-injection", "unsafe-deserialization"} <= scan(code, ("bandit",)).categories
    merged = scan(code)
    assert not merged.categories & {"command-injection", "unsafe-deserialization"}
    reasons = {s.finding.span.start: s.reason for s in merged.suppressed}
    assert reasons[1].startswith("an import is not a sink")
    assert reasons[3].startswith("graderlib GL102:")


def test_categories_graderlib_does_not_arbitrate_stand() -> None:
    code = "import hashlib\ndef etag(body):\n    return hashlib.md5(body).hexdigest()\n"
    merged = scan(code)
    assert "weak-hash" not in ARBITRATED
    assert "weak-hash" in merged.categories  # bandit's B324 stands; graderlib does not judge it


def test_every_arbitrated_category_has_a_detector_and_a_readme_row() -> None:
    covered = {d.category for d in all_detectors()}
    assert set(ARBITRATED) <= covered
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    rows = set(re.findall(r"^\| `([a-z-]+)` \| arbitrated \|", readme, re.MULTILINE))
    assert rows == set(ARBITRATED)
