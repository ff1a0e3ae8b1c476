"""Scorecards: hand-counted golden corpus, task mapping, unmapped results, baseline agents.

The golden corpus (``tests/fixtures/scorecard_corpus``) and the hand-made tool output
(``tests/fixtures/scorecard_golden.sarif``) were written together; the counts below were worked
out by hand from them, case by case, before the code ran:

==========================  =======================================  =========  =========
result                      case                                     default    strict
==========================  =======================================  =========  =========
hibernate-sqli, CWE-564     orders: the SQL injection                TP         TP (table)
B608, CWE-89                orders: ok: sql-injection look-alike     FP         FP
B324, CWE-327               orders: the md5 password hash            TP         TP (table)
(nothing)                   orders: ok: weak-hash (md5 etag)         TN         TN
S105 in scans/audit.py      audit: file-scope hardcoded secret       TP         TP
B603, CWE-78 in audit.py    audit: file-scope clean command-inj.     FP         FP
generic-injection, CWE-74   render: the XSS (74 is 79's parent)      TP         FN
B311 on a plain line        (no case: an extra)                      extra      extra
vendor/lib.py, W9999        unmapped (no task / no category)         listed     listed
==========================  =======================================  =========  =========
"""

from __future__ import annotations

import io
import json
import os
import pty
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from graderlib.agents import keyword_agent, oracle_agent, shotgun_agent
from graderlib.cli import main
from graderlib.evaluate import (
    Corpus,
    StrictRules,
    map_results,
    read_tool_output,
    score_agent,
    score_output,
)
from graderlib.evaluate.scorecard import parse_equivalence
from graderlib.grading import grade
from graderlib.task import default_tasks_dir, find_task_dirs, load_task
from tests.grading_support import law_tasks, make_task

FIXTURES = Path(__file__).parent / "fixtures"
GOLDEN_CORPUS = FIXTURES / "scorecard_corpus"
GOLDEN_SARIF = FIXTURES / "scorecard_golden.sarif"


def _golden_card(*options: str) -> dict:  # type: ignore[type-arg]
    output = io.StringIO()
    with redirect_stdout(output):
        code = main(
            ["scorecard", str(GOLDEN_CORPUS), "--findings", str(GOLDEN_SARIF), "--json", *options]
        )
    assert code == 0
    return json.loads(output.getvalue())  # type: ignore[no-any-return]


def _counts(card: dict) -> dict[str, tuple[int, int, int, int]]:  # type: ignore[type-arg]
    return {c: (v["tp"], v["fn"], v["fp"], v["tn"]) for c, v in card["categories"].items()}


def test_golden_counts_default_mode() -> None:
    card = _golden_card()
    assert set(card) >= {"overall", "categories", "unmapped"}
    assert _counts(card) == {
        "command-injection": (0, 0, 1, 0),
        "hardcoded-secret": (1, 0, 0, 0),
        "sql-injection": (1, 0, 1, 0),
        "weak-hash": (1, 0, 0, 1),
        "xss": (1, 0, 0, 0),
    }
    overall = card["overall"]
    assert (overall["tp"], overall["fn"], overall["fp"], overall["tn"]) == (4, 0, 2, 1)
    assert overall["extra"] == 1 and overall["results"] == 9 and overall["unmapped"] == 2
    # OWASP averages: TPR over the 4 categories with positives, FPR over the 3 with negatives,
    # Youden over the 2 with both (sql-injection 0, weak-hash 1).
    assert overall["tpr"] == 1.0 and overall["fpr"] == 0.6667 and overall["youden"] == 0.5
    assert overall["precision"] == round(4 / 7, 4)
    assert card["categories"]["command-injection"]["tpr"] is None


def test_golden_counts_strict_mode_and_its_equivalence_table() -> None:
    strict = _golden_card("--strict")
    assert _counts(strict) == {
        "command-injection": (0, 0, 1, 0),
        "hardcoded-secret": (1, 0, 0, 0),
        "sql-injection": (1, 0, 1, 0),  # CWE-564 is accepted for CWE-89 by the default table
        "weak-hash": (1, 0, 0, 1),  # CWE-327 is accepted for CWE-328
        "xss": (0, 1, 0, 0),  # CWE-74 is only a parent of CWE-79
    }
    assert strict["overall"]["extra"] == 2  # the CWE-74 result now matches nothing
    # The mean RL score is the reward policy's, whichever way the cases are counted.
    assert strict["overall"]["mean_score"] == _golden_card()["overall"]["mean_score"]

    bare = _golden_card("--strict", "--no-default-equivalences")
    assert _counts(bare)["sql-injection"] == (0, 1, 1, 0)
    assert _counts(bare)["weak-hash"] == (0, 1, 0, 1)
    assert bare["overall"]["extra"] == 4
    restored = _golden_card(
        "--strict", "--no-default-equivalences", "--equivalence", "CWE-564=CWE-89"
    )
    assert _counts(restored)["sql-injection"] == (1, 0, 1, 0)
    assert _counts(restored)["weak-hash"] == (0, 1, 0, 1)


def test_unmapped_results_are_counted_and_listed() -> None:
    unmapped = _golden_card()["unmapped"]
    assert [(u["uri"], u["rule_id"]) for u in unmapped] == [
        ("vendor/lib.py", "B608"),
        ("orders/snippet.py", "W9999"),
    ]
    assert "names no task" in unmapped[0]["reason"]
    assert "no category explains rule 'W9999'" in unmapped[1]["reason"]
    assert unmapped[0]["origin"].endswith("runs[0].results[7]")


SNIPPET = """\
import pickle


def load(blob):
    return pickle.loads(blob)
"""


def _sarif(tmp_path: Path, results: list[dict], run: dict | None = None) -> Path:  # type: ignore[type-arg]
    path = tmp_path / "tool.sarif"
    run = {"tool": {"driver": {"name": "t", "rules": []}}, "results": results, **(run or {})}
    path.write_text(json.dumps({"version": "2.1.0", "runs": [run]}))
    return path


def _result(location: dict, line: int = 5) -> dict:  # type: ignore[type-arg]
    return {
        "ruleId": "B301",
        "message": {"text": "pickle on data from outside"},
        "locations": [
            {"physicalLocation": {"artifactLocation": location, "region": {"startLine": line}}}
        ],
    }


def test_mapping_by_file_stem_and_by_uri_base_ids(tmp_path: Path) -> None:
    corpus_root = tmp_path / "corpus"
    corpus_root.mkdir()
    for name in ("Case00011", "Case00012"):
        make_task(corpus_root, SNIPPET, "[[issue]]\ncategory = 'pickle'\nat = 'load'\n", name)
    tasks = [load_task(d) for d in find_task_dirs([corpus_root])]
    corpus = Corpus(tasks, [corpus_root])
    results = [
        # the corpus in its original layout: testcode/Case00011.py is task Case00011
        _result({"uri": "src/testcode/Case00011.py"}),
        # CodeQL style: a relative uri under a base whose absolute uri the run declares,
        # through a chain of two bases
        _result({"uri": "Case00012/snippet.py", "uriBaseId": "CORPUS"}),
        # an absolute file:// uri inside the corpus root (rule 1), with an escaped character
        _result({"uri": (corpus_root / "Case00011" / "snippet.py").as_uri()}),
        # a base the run does not define stays relative and names no task
        _result({"uri": "lib/other.py", "uriBaseId": "%SRCROOT%"}),
    ]
    bases = {
        "ROOT": {"uri": tmp_path.as_uri() + "/"},
        "CORPUS": {"uri": "corpus/", "uriBaseId": "ROOT"},
    }
    path = _sarif(tmp_path, results, {"originalUriBaseIds": bases})
    read = read_tool_output(path)
    assert read[1].uri == (corpus_root / "Case00012" / "snippet.py").as_uri()
    mapped = map_results(read, corpus)
    assert [len(mapped.by_task[t]) for t in ("Case00011", "Case00012")] == [2, 1]
    assert [u.uri for u in mapped.unmapped] == ["lib/other.py"]
    card = score_output("tool", mapped, tasks)
    assert card.overall.tp == 2 and card.overall.fn == 0 and card.overall.unmapped == 1


def test_a_result_its_tool_suppressed_is_listed_not_counted(tmp_path: Path) -> None:
    """SARIF keeps suppressed results (semgrep's nosemgrep, CodeQL's alert suppressions);
    an accepted suppression sets a result aside, an ``underReview`` one does not."""
    corpus_root = tmp_path / "corpus"
    corpus_root.mkdir()
    make_task(corpus_root, SNIPPET, "[[issue]]\ncategory = 'pickle'\nat = 'load'\n", "Case00011")
    tasks = [load_task(d) for d in find_task_dirs([corpus_root])]
    withdrawn = {
        **_result({"uri": "Case00011.py"}),
        "suppressions": [{"kind": "inSource", "justification": "reviewed: trusted input"}],
    }
    pending = {
        **_result({"uri": "Case00011.py"}, line=6),
        "suppressions": [{"kind": "external", "status": "underReview"}],
    }
    mapped = map_results(
        read_tool_output(_sarif(tmp_path, [withdrawn, pending])), Corpus(tasks, [corpus_root])
    )
    assert [r.finding.line for r in mapped.by_task["Case00011"]] == [6]
    (listed,) = mapped.unmapped
    assert listed.reason == "suppressed by the tool (inSource suppression: reviewed: trusted input)"


def test_results_on_an_annotated_snippet_move_to_the_cleaned_lines(tmp_path: Path) -> None:
    # A tool run over tasks/ sees the annotation comments; the task's spans are on clean lines.
    task_dir = make_task(
        tmp_path, SNIPPET.replace("    return", "    # expect: pickle\n    return")
    )
    task = load_task(task_dir)
    assert task.issues[0].span.start == 5
    mapped = map_results(
        read_tool_output(_sarif(tmp_path, [_result({"uri": "t/snippet.py"}, line=6)])),
        Corpus([task], [tmp_path]),
    )
    assert mapped.by_task["t"][0].finding.line == 5


def test_jsonl_and_directories_of_per_task_outputs(tmp_path: Path) -> None:
    tasks = [load_task(d) for d in find_task_dirs([GOLDEN_CORPUS])]
    corpus = Corpus(tasks, [GOLDEN_CORPUS])
    lines = [
        {"task": "orders", "findings": [{"line": 5, "category": "sqli", "message": "m m m"}]},
        {"task": "nowhere", "findings": [{"line": 1, "category": "xss", "message": "m m m"}]},
    ]
    jsonl = tmp_path / "agent.jsonl"
    jsonl.write_text("\n".join(json.dumps(line) for line in lines))
    mapped = map_results(read_tool_output(jsonl), corpus)
    assert len(mapped.by_task["orders"]) == 1 and len(mapped.unmapped) == 1
    outputs = tmp_path / "per-task"
    outputs.mkdir()
    (outputs / "render.json").write_text(json.dumps([{"line": 6, "category": "xss"}]))
    mapped = map_results(read_tool_output(outputs), corpus)
    assert [r.finding.line for r in mapped.by_task["render"]] == [6]
    # graderlib's own findings JSON: each finding's file names its task
    plain = tmp_path / "findings.json"
    plain.write_text(
        json.dumps(
            {
                "findings": [
                    {"line": 6, "category": "sqli", "file": "orders/snippet.py"},
                    {"line": 3, "category": "hardcoded-secret", "file": "audit/snippet.py"},
                    {"line": 3, "category": "hardcoded-secret"},
                ]
            }
        )
    )
    mapped = map_results(read_tool_output(plain), corpus)
    assert [r.finding.line for r in mapped.by_task["orders"]] == [
        5
    ]  # annotated line 6 is clean line 5
    assert [r.finding.line for r in mapped.by_task["audit"]] == [3]
    assert [u.reason for u in mapped.unmapped] == ["names no file or task"]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"task": "orders", "findings": [{"line": 0, "category": "xss"}]}\n')
    with pytest.raises(ValueError, match=r"bad.jsonl:1: findings\[0\].line"):
        read_tool_output(bad)


def test_strict_equivalences_parse_and_extend() -> None:
    assert parse_equivalence("CWE-564=CWE-89") == (564, 89)
    with pytest.raises(ValueError, match="STATED=EXPECTED"):
        parse_equivalence("CWE-564")
    rules = StrictRules({}).with_extra([(1004, 614)])
    assert rules.accepts(1004, "insecure-cookie") and not rules.accepts(564, "sql-injection")
    assert StrictRules().accepts(564, "sql-injection") and StrictRules().accepts(327, "weak-hash")


def test_cli_bad_input_is_one_line_and_exit_2(tmp_path: Path) -> None:
    cases = {
        ("--agent", "psychic"): "--agent: unknown agent(s) psychic",
        ("--findings", str(tmp_path / "missing.sarif")): "missing.sarif: no such file",
        ("--strict", "--equivalence", "89"): "expected STATED=EXPECTED",
        ("--engine", "local", "--address", "auto"): "--address is for --engine ray",
    }
    for options, message in cases.items():
        errors = io.StringIO()
        with redirect_stderr(errors):
            code = main(["scorecard", str(GOLDEN_CORPUS), *options])
        assert code == 2, (options, errors.getvalue())
        assert message in errors.getvalue() and "Traceback" not in errors.getvalue()


def test_agents_cards_rank_oracle_over_gaming_agents() -> None:
    tasks = [t for t in law_tasks() if t.issues]
    oracle = score_agent("oracle", tasks)
    keyword = score_agent("keyword", tasks)
    assert oracle.overall.mean_score == 1.0 and oracle.overall.youden in (1.0, None)
    assert oracle.overall.tpr == 1.0 and oracle.overall.fp == 0 and oracle.overall.extra == 0
    assert keyword.overall.tp == 0 and keyword.overall.mean_score == 0.0
    # Shotgun hits every issue and every look-alike: TPR 1, FPR 1, Youden 0 where both exist.
    shotgun = score_agent("shotgun", tasks[:12])
    assert shotgun.overall.mean_score == 0.0 and shotgun.overall.precision is not None
    assert shotgun.overall.precision < 0.01
    assert all(c.youden == 0.0 for c in shotgun.categories.values() if c.youden is not None)


def test_oracle_scores_one_and_shotgun_at_most_a_tenth_on_every_curated_task() -> None:
    for directory in find_task_dirs([default_tasks_dir()]):
        task = load_task(directory)
        assert grade(task, oracle_agent(task)).score == 1.0, task.id
        assert grade(task, shotgun_agent(task)).score <= 0.1, task.id


@pytest.mark.slow
def test_progress_bar_on_a_terminal_and_none_when_piped() -> None:
    command = [sys.executable, "-m", "graderlib.cli", "scorecard", str(GOLDEN_CORPUS)]
    command += ["--agent", "oracle", "--json"]
    master, terminal = pty.openpty()
    environment = {**os.environ, "TERM": "xterm", "COLUMNS": "100"}
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=terminal, env=environment)
    os.close(terminal)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # the terminal's other end closed: the process has exited
            break
        if not chunk:
            break
        shown += chunk
    stdout = process.stdout.read() if process.stdout else b""
    assert process.wait() == 0
    os.close(master)
    assert b"oracle" in shown and b"3/3" in shown  # the bar, on stderr only
    assert json.loads(stdout)["overall"]["mean_score"] == 1.0
    piped = subprocess.run(command, capture_output=True, check=True)
    assert piped.stderr == b"" and json.loads(piped.stdout) == json.loads(stdout)


def test_keyword_stuffing_inside_the_file_earns_nothing() -> None:
    """The keyword agent's zero comes from its words earning nothing, not from missing the file."""
    tasks = [t for t in law_tasks() if t.issues and all(i.scope != "file" for i in t.issues)]
    assert len(tasks) > 20
    for task in tasks:
        findings = keyword_agent(task)
        issue_lines = {i.span.start for i in task.issues}
        assert all(1 <= f.line <= task.line_count for f in findings), task.id
        assert not issue_lines & {f.line for f in findings}, task.id
        report = grade(task, findings)
        assert report.components.recall == 0.0, task.id
        assert {v.status for v in report.verdicts} <= {"false_positive", "ok_violation"}
        assert not any("outside the file" in v.reason for v in report.verdicts), task.id
