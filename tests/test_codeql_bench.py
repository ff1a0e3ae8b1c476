"""The third-party corpus score counts what it says: ±1 line, related categories, a hash split."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.codeql_corpus import folders, is_holdout, score
from graderlib.detectors import DetectorFinding
from graderlib.locate import Span
from graderlib.taxonomy import Severity


def _finding(category: str, line: int) -> DetectorFinding:
    return DetectorFinding(
        tool="bandit",
        rule_ids=("X1",),
        category=category,
        severity=Severity.HIGH,
        span=Span(start=line, end=line),
        message="m",
        fingerprint="f",
    )


def _corpus(tmp_path: Path) -> Path:
    (tmp_path / "CWE-089-Sql").mkdir()
    (tmp_path / "CWE-089-Sql" / "a.py").write_text("x = 1\n" * 20)
    (tmp_path / "CWE-089-Sql" / "b.py").write_text("x = 1\n" * 5)  # no labels: all silent
    (tmp_path / "CWE-730-ReDoS").mkdir()  # no graderlib category: out of scope
    (tmp_path / "CWE-730-ReDoS" / "r.py").write_text("x = 1\n")
    labels = [
        {"file": "CWE-089-Sql/a.py", "line": 5, "cwe": 89, "kind": "alert"},
        {"file": "CWE-089-Sql/a.py", "line": 10, "cwe": 89, "kind": "missing"},
        {"file": "CWE-089-Sql/a.py", "line": 15, "cwe": 89, "kind": "spurious"},
        {"file": "CWE-730-ReDoS/r.py", "line": 1, "cwe": 730, "kind": "alert"},
    ]
    (tmp_path / "labels.jsonl").write_text("\n".join(json.dumps(x) for x in labels) + "\n")
    return tmp_path


def test_recall_within_one_line_and_precision_over_the_folders_category_family(
    tmp_path: Path,
) -> None:
    root = _corpus(tmp_path)
    chosen = folders(root)
    assert [(f.name, f.category) for f in chosen] == [("CWE-089-Sql", "sql-injection")]
    found = {
        # line 6 is within one line of the label on 5; line 15 is spurious (a false alarm);
        # a weak-hash finding is another family and does not count either way.
        "CWE-089-Sql/a.py": [
            _finding("sql-injection", 6),
            _finding("sql-injection", 15),
            _finding("weak-hash", 10),
        ],
        "CWE-089-Sql/b.py": [_finding("sql-injection", 2)],
    }
    tally = score(chosen, ("bandit",), lambda _s, _t, path: found.get(path, []), root)
    summary = tally.summary()
    assert summary["labels"] == 2
    assert summary["recall"] == 0.5  # line 5 found, line 10 (missing) not
    assert summary["findings"] == 3
    assert summary["precision"] == 0.333


def test_holdout_is_a_fixed_third_chosen_by_the_folder_name() -> None:
    # Pinned: a change of the hash would silently move folders between the splits.
    assert is_holdout("CWE-643-XPathInjection")
    assert is_holdout("CWE-611-Xxe")
    assert not is_holdout("CWE-089-SqlInjection")
    assert not is_holdout("CWE-090-LdapInjection")
    names = [f"CWE-{n:03d}-Folder" for n in range(300)]
    assert 80 <= sum(map(is_holdout, names)) <= 120  # about a third
