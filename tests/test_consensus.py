"""Precision by consensus: bandit and ruff defer to graderlib's dataflow where it has the answer."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from graderlib.cli import main
from graderlib.detectors import DetectorFinding, all_detectors, scan
from graderlib.detectors.consensus import ARBITRATED
from graderlib.task import Issue, load_task
from graderlib.taxonomy import Relation, default_taxonomy

SAFE_SQL = (
    "TABLE = 'users'\n"
    "def find(cur, uid):\n"
    "    query = 'SELECT * FROM ' + TABLE + ' WHERE id = ?'\n"
    "    cur.execute(query, (uid,))\n"
)
UNSAFE_SQL = "def find(cur, uid):\n    cur.execute('SELECT * FROM users WHERE id = ' + uid)\n"
UNSAFE_SQL_BUILT = (
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
    assert len(sql) == 1 and {"GL101", "B608", "S608"} <= set(sql[0].rule_ids)
    assert not [s for s in merged.suppressed if s.finding.category == "sql-injection"]


def test_one_bug_is_one_finding_at_its_sink() -> None:
    merged = scan(UNSAFE_SQL_BUILT)
    sql = [f for f in merged.findings if f.category == "sql-injection"]
    assert [(f.span.start, f.rule_ids) for f in sql] == [(3, ("GL101",))]
    built = [s for s in merged.suppressed if s.finding.span.start == 2]
    assert built and all("reported at its sink" in s.reason for s in built)


def test_imports_are_not_sinks_of_an_arbitrated_category() -> None:
    code = "import subprocess\nimport pickle\nsubprocess.run(['ls'], check=True)\n"
    assert {"command-injection", "unsafe-deserialization"} <= scan(code, ("bandit",)).categories
    merged = scan(code)
    assert not merged.categories & {"command-injection", "unsafe-deserialization"}
    reasons = {s.finding.span.start: s.reason for s in merged.suppressed}
    assert reasons[1].startswith("an import is not a sink")
    assert reasons[3].startswith("graderlib GL102:")


def test_categories_graderlib_does_not_arbitrate_stand() -> None:
    code = "import ftplib\ndef fetch(host):\n    return ftplib.FTP(host)\n"
    merged = scan(code)
    assert "cleartext-protocol" not in ARBITRATED
    assert "cleartext-protocol" in merged.categories  # bandit's B321 stands


def test_purpose_judged_categories_defer_to_graderlib() -> None:
    code = "import hashlib\ndef etag(body):\n    return hashlib.md5(body).hexdigest()\n"
    assert "weak-hash" in scan(code, ("bandit",)).categories
    merged = scan(code)
    assert "weak-hash" not in merged.categories
    assert any(s.reason.startswith("graderlib GL301:") for s in merged.suppressed)


def test_every_arbitrated_category_has_a_detector_and_a_readme_row() -> None:
    covered = {d.category for d in all_detectors()}
    assert set(ARBITRATED) <= covered
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    rows = set(re.findall(r"^\| `([a-z-]+)` \| arbitrated \|", readme, re.MULTILINE))
    assert rows == set(ARBITRATED)


def test_scan_cli_shows_suppressed_findings_under_all_and_in_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "app.py"
    target.write_text(SAFE_SQL)
    assert main(["scan", str(target)]) == 0  # nothing stands
    plain = capsys.readouterr().out
    assert "suppressed by consensus (--all shows them)" in plain and "B608" not in plain
    assert main(["scan", "--all", str(target)]) == 0
    shown = capsys.readouterr().out
    assert "suppressed sql-injection [B608]" in shown and "graderlib GL101:" in shown
    assert main(["scan", "--json", str(target)]) == 0
    data = json.loads(capsys.readouterr().out)
    reasons = [s["reason"] for s in data["files"][0]["suppressed"]]
    assert reasons and all(r.startswith("graderlib GL101:") for r in reasons)


TASK_FOLDERS = [
    folder
    for base in ("tasks", "tests/fixtures/patch_tasks", "tests/fixtures/core_tasks")
    for folder in sorted((Path(__file__).parents[1] / base).iterdir())
    if (folder / "task.toml").exists()
]


def _sees(issue: Issue, findings: list[DetectorFinding]) -> bool:
    taxonomy = default_taxonomy()
    return any(
        (issue.scope == "file" or issue.span.distance(f.span.start, f.span.end) <= 1)
        and any(taxonomy.relation(f.category, c) >= Relation.PARENT_CHILD for c in issue.categories)
        for f in findings
    )


@pytest.mark.slow
def test_consensus_never_suppresses_the_only_sighting_of_a_ground_truth_issue() -> None:
    lost = []
    for folder in TASK_FOLDERS:
        task = load_task(folder)
        result = scan(task.source, path="snippet.py")
        overruled = [s.finding for s in result.suppressed]
        for issue in task.issues:
            if not _sees(issue, list(result.findings)) and _sees(issue, overruled):
                lost.append((folder.name, issue.id))
    assert len(TASK_FOLDERS) >= 70
    assert lost == []


def test_weak_key_sizes_are_arbitrated_by_what_graderlib_reads_at_the_generation() -> None:
    import libcst as cst

    from graderlib.detectors.consensus import Clearance, arbitrate
    from graderlib.detectors.walk import Context

    weak = (
        "from cryptography.hazmat.primitives.asymmetric import rsa\n"
        "key = rsa.generate_private_key(public_exponent=65537, key_size=1024)\n"
    )
    (finding,) = [f for f in scan(weak).findings if f.category == "weak-key"]
    assert {"GL308", "B505", "S505"} <= set(finding.rule_ids)  # agreement keeps every id
    strong = (
        "from cryptography.hazmat.primitives.asymmetric import rsa\n"
        "BITS = 4096\nkey = rsa.generate_private_key(65537, BITS)\n"
    )
    context = Context(cst.parse_module(strong), all_detectors())
    assert not [h for h in context.run() if h.detector.id == "GL308"]
    (cleared,) = [h for h in context.clearances if h.detector.id == "GL308"]
    assert "4096 bits" in cleared.message
    # a bandit finding on that statement (its own reading of the size) defers to graderlib's
    bandit = finding.model_copy(
        update={"tool": "bandit", "tools": ("bandit",), "rule_ids": ("B505",)}
    )
    clearance = Clearance(
        detector="GL308", category="weak-key", span=finding.span, reason=cleared.message
    )
    kept, suppressed = arbitrate([bandit], [clearance])
    assert not kept and suppressed[0].reason.startswith("graderlib GL308: the key is 4096 bits")
    assert "weak-key" in ARBITRATED


def test_sql_looking_text_that_is_only_logged_defers_to_graderlib() -> None:
    logged = (
        "import logging\nlog = logging.getLogger(__name__)\n"
        "def refuse(account_id, user):\n"
        "    message = 'DELETE from account %s refused for %s' % (account_id, user)\n"
        "    log.warning(message)\n"
    )
    assert "sql-injection" in scan(logged, ("bandit",)).categories  # B608 reads the words
    merged = scan(logged)
    assert "sql-injection" not in merged.categories
    assert any("never executed" in s.reason for s in merged.suppressed)
    executed = logged.replace("log.warning(message)", "cursor.execute(message)")
    assert "sql-injection" in scan(executed).categories
