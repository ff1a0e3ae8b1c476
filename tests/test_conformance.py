"""graderlib.testing itself: the strategies make loadable tasks, each law can fail, and the
suite tells the two example graders of other styles apart from graderlib."""

from __future__ import annotations

import random
import re
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from examples.conformance import greedy_line_matcher, keyword_rubric
from graderlib import Finding, Task, default_taxonomy, grade, load_task
from graderlib.testing import (
    LAWS,
    FunctionAdapter,
    GraderlibAdapter,
    check_law,
    format_table,
    run_laws,
)
from graderlib.testing.strategies import TaskRecipe, recipes

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = 40  # per law for the graders that must FAIL: a violation shows up early


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(recipe=recipes())
def test_every_generated_task_survives_a_round_trip_through_a_task_directory(
    recipe: TaskRecipe, tmp_path_factory: pytest.TempPathFactory
) -> None:
    snippet, toml = recipe.render()
    task_dir = tmp_path_factory.mktemp("roundtrip") / "task"
    task_dir.mkdir()
    (task_dir / "snippet.py").write_text(snippet)
    (task_dir / "task.toml").write_text(toml)
    task = load_task(task_dir)
    expected = sum(len(s.expect) for body in recipe.functions for s in body)
    assert len(task.issues) == expected + (recipe.file_issue is not None)
    assert len(task.clean) == sum(bool(s.ok) for body in recipe.functions for s in body)
    lines = task.source.splitlines()
    assert "expect:" not in task.source and "# ok:" not in task.source
    for issue in task.issues:
        if issue.scope != "file":  # an issue's span starts on real code, never a blank line
            assert lines[issue.span.start - 1].strip(), (snippet, issue)


# --------------------------------------------------------------- one broken grader per law


def _graderlib(task: Task, findings: Sequence[Finding]) -> float:
    return grade(task, findings).score


def _nondeterministic(task: Task, findings: Sequence[Finding]) -> float:
    return min(1.0, _graderlib(task, findings) + random.random() / 10)


def _reads_only_the_first_three(task: Task, findings: Sequence[Finding]) -> float:
    return _graderlib(task, findings[:3])


def _stingy(task: Task, findings: Sequence[Finding]) -> float:
    return 0.9 * _graderlib(task, findings)


def _half_for_nothing(task: Task, findings: Sequence[Finding]) -> float:
    return 0.5 if not findings else _graderlib(task, findings)


def _more_is_better(task: Task, findings: Sequence[Finding]) -> float:
    return min(1.0, _graderlib(task, findings) + 0.01 * len(findings))


def _distance_is_good(task: Task, findings: Sequence[Finding]) -> float:
    if not task.issues or not findings:
        return _graderlib(task, findings)
    far = max(min(i.span.distance(f.line, f.line) for i in task.issues) for f in findings)
    return min(1.0, 0.1 * far)


def _any_category_matches(task: Task, findings: Sequence[Finding]) -> float:
    if not task.issues:
        return _graderlib(task, findings)
    hit = {i.id for i in task.issues for f in findings if i.span.distance(f.line, f.line) <= 2}
    return len(hit) / len(task.issues)


def _reads_the_message(task: Task, findings: Sequence[Finding]) -> float:
    """Believes a finding that names an issue's category in words, wherever it points."""
    titles = {default_taxonomy().title_of(i.category).lower(): i for i in task.issues}
    moved = [
        next(
            (
                f.model_copy(update={"line": i.span.start})
                for t, i in titles.items()
                if t in f.message.lower()
            ),
            f,
        )
        for f in findings
    ]
    return _graderlib(task, moved)


def _set_of_findings(task: Task, findings: Sequence[Finding]) -> float:
    unique = list({(f.line, f.category): f for f in findings}.values())
    return _graderlib(task, unique)


def _recursive(task: Task, findings: Sequence[Finding]) -> float:
    def count(rest: Sequence[Finding]) -> int:
        return 0 if not rest else 1 + count(rest[1:])

    count(findings)
    return _graderlib(task, findings)


class _GreedyRecall(GraderlibAdapter):
    """graderlib's score, but recall from a greedy first-come pairing: not optimal."""

    def recall(self, task: Task, findings: Sequence[Finding]) -> float:
        taken: set[int] = set()
        total = 0.0
        for finding in findings:
            values = [
                (self.pair_value(task, finding, c), c)
                for c in range(len(task.issues))
                if c not in taken
            ]
            value, column = max(values, default=(0.0, -1))
            if value > 0:
                taken.add(column)
                total += value
        return total


BROKEN: dict[str, Callable[..., float] | GraderlibAdapter] = {
    "bounded_and_deterministic": _nondeterministic,
    "order_invariant": _reads_only_the_first_three,
    "oracle_scores_one": _stingy,
    "empty_report": _half_for_nothing,
    "duplicates_never_raise": _more_is_better,
    "false_positive_never_raises": _more_is_better,
    "moving_away_never_raises": _distance_is_good,
    "shotgun_scores_little": _any_category_matches,
    "keywords_never_replace_location": _reads_the_message,
    "oracle_ten_times_below_oracle": _set_of_findings,
    "ten_thousand_findings": _recursive,
    "recall_is_dense_optimum": _GreedyRecall(name="greedy recall"),
}


def test_there_is_a_broken_grader_for_every_law() -> None:
    assert sorted(BROKEN) == sorted(law.name for law in LAWS)


@pytest.mark.parametrize("law", LAWS, ids=lambda law: law.name)
def test_each_law_fails_on_a_grader_broken_for_it(law) -> None:  # type: ignore[no-untyped-def]
    broken = BROKEN[law.name]
    adapter = broken if isinstance(broken, GraderlibAdapter) else FunctionAdapter(broken)
    result = check_law(adapter, law, examples=EXAMPLES)
    assert result.outcome == "failed", result
    assert result.detail  # the counterexample is named
    if law.name != "ten_thousand_findings":
        assert "task with" in result.detail


# ---------------------------------------------------------------- graders of other styles


def test_the_keyword_rubric_grader_fails_the_gaming_laws() -> None:
    results = {r.law: r for r in run_laws(keyword_rubric.ADAPTER, examples=EXAMPLES)}
    failed = {name for name, r in results.items() if r.outcome == "failed"}
    assert {
        "shotgun_scores_little",
        "oracle_ten_times_below_oracle",
        "keywords_never_replace_location",
    } <= failed
    assert results["recall_is_dense_optimum"].outcome == "skipped"
    for law in (
        "bounded_and_deterministic",
        "order_invariant",
        "oracle_scores_one",
        "empty_report",
        "duplicates_never_raise",
        "ten_thousand_findings",
    ):
        assert results[law].outcome == "passed", results[law]


def test_the_greedy_line_matcher_fails_shotgun_and_duplicates() -> None:
    results = {r.law: r for r in run_laws(greedy_line_matcher.ADAPTER, examples=EXAMPLES)}
    failed = {name for name, r in results.items() if r.outcome == "failed"}
    assert {"shotgun_scores_little", "oracle_ten_times_below_oracle"} <= failed
    for law in (
        "bounded_and_deterministic",
        "oracle_scores_one",
        "empty_report",
        "false_positive_never_raises",
        "keywords_never_replace_location",
        "ten_thousand_findings",
    ):
        assert results[law].outcome == "passed", results[law]
    table = format_table(greedy_line_matcher.ADAPTER.name, list(results.values()))
    assert "| shotgun_scores_little | failed | the shotgun scores 1.0" in table


def test_skipping_a_law_by_name_and_unknown_names() -> None:
    results = run_laws(GraderlibAdapter(), examples=5, skip=["ten_thousand_findings"])
    assert [r.outcome for r in results if r.law == "ten_thousand_findings"] == ["skipped"]
    with pytest.raises(ValueError, match="unknown law"):
        run_laws(GraderlibAdapter(), skip=["no_such_law"])


# ------------------------------------------------------------------------- entry points


@pytest.mark.slow
def test_the_console_script_prints_the_table_and_exits_one_on_a_failure() -> None:
    script = Path(sys.executable).with_name("graderlib-conformance")
    spec = "examples.conformance.greedy_line_matcher:ADAPTER"
    done = subprocess.run(
        [str(script), spec, "--examples", "20"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1, done.stderr
    assert "| shotgun_scores_little | failed |" in done.stdout
    assert "| oracle_scores_one | passed |" in done.stdout
    bad = subprocess.run(
        [str(script), "nowhere:nothing"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert bad.returncode == 2 and "error" in bad.stderr and "Traceback" not in bad.stderr


@pytest.mark.slow
def test_the_pytest_plugin_reports_one_item_per_law() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "graderlib.testing.pytest_plugin",
            "--grader=examples.conformance.keyword_rubric:ADAPTER",
            "--grader-examples=20",
            "--grader-skip=ten_thousand_findings",
            "-p",
            "no:cacheprovider",
            "tests/test_public_api.py",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1, done.stdout[-2000:]
    item = "::conformance[examples.conformance.keyword_rubric:ADAPTER]::"
    # pytest's summary line is "FAILED <id> - <message>" when the terminal is wide enough (or not a
    # terminal at all, as in CI), and "FAILED <id>" otherwise; the law's name is the id's last part.
    failed = {
        re.split(r"\s", line.split(item)[1])[0]
        for line in done.stdout.splitlines()
        if line.startswith("FAILED") and item in line
    }
    assert failed == {
        "shotgun_scores_little",
        "keywords_never_replace_location",
        "oracle_ten_times_below_oracle",
    }
    assert "the shotgun scores 1.0 > 0.1" in done.stdout  # the counterexample is shown


def test_the_readme_lists_every_law() -> None:
    readme = (ROOT / "README.md").read_text()
    section = readme.split("<!-- section:conformance -->")[1].split("<!-- /section:conformance")[0]
    listed = re.findall(r"^\| `(\w+)` \|", section, re.M)
    assert listed == [law.name for law in LAWS]
