"""The grader's laws over graderlib's own grader: generated tasks and the curated corpus.

The laws themselves live in :mod:`graderlib.testing` (public, so other graders can be held to
them too); this file runs every one of them on graderlib, with hypothesis drawing 200 examples
per law from generated tasks and 100 from the corpus, and adds the properties that only make
sense for graderlib (category aliases, reformatting, report serialisation).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graderlib import Finding, GradeReport, Task, default_taxonomy, grade, load_task
from graderlib.taxonomy import normalize_name
from graderlib.testing import LAWS, GraderlibAdapter, check_law
from tests.grading_support import FIXTURES, law_tasks, oracle, tasks_with_issues

TAXONOMY = default_taxonomy()
CATEGORY_IDS = sorted(TAXONOMY.ids)
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
GRADERLIB = GraderlibAdapter()

any_task = st.sampled_from(law_tasks())
task_with_issues = st.sampled_from(tasks_with_issues())
words = st.text(alphabet="abcdefghij klmnop", min_size=0, max_size=40)


@pytest.mark.parametrize("law", LAWS, ids=lambda law: law.name)
def test_every_law_holds_on_generated_tasks(law) -> None:  # type: ignore[no-untyped-def]
    result = check_law(GRADERLIB, law, examples=200)
    assert result.outcome == "passed", result.detail


@pytest.mark.parametrize("law", LAWS, ids=lambda law: law.name)
def test_every_law_holds_on_the_curated_corpus(law) -> None:  # type: ignore[no-untyped-def]
    result = check_law(GRADERLIB, law, examples=100, tasks=any_task)
    assert result.outcome == "passed", result.detail


# Laws whose cases come from the task alone: checked on EVERY corpus task, not a sample.
PER_TASK_LAWS = {
    law.name: law
    for law in LAWS
    if law.name
    in {
        "oracle_scores_one",
        "empty_report",
        "shotgun_scores_little",
        "oracle_ten_times_below_oracle",
        "keywords_never_replace_location",
    }
}


@pytest.mark.parametrize("name", sorted(PER_TASK_LAWS))
def test_task_only_laws_hold_on_every_corpus_task(name: str) -> None:
    law = PER_TASK_LAWS[name]
    for task in law_tasks():
        if not task.issues and name != "empty_report" and name != "shotgun_scores_little":
            continue
        if name == "keywords_never_replace_location" and all(
            i.scope == "file" for i in task.issues
        ):
            continue
        result = check_law(GRADERLIB, law, examples=20, tasks=st.just(task))
        assert result.outcome == "passed", (task.id, result.detail)


@FAST
@given(st.sampled_from([t for t in law_tasks() if not t.issues]), st.data())
def test_on_a_clean_task_any_finding_lowers_the_score(task: Task, data: st.DataObject) -> None:
    assert grade(task, []).score == 1.0
    findings = data.draw(findings_for(task).filter(bool))
    assert grade(task, findings).score < 1.0


@st.composite
def findings_for(draw: st.DrawFn, task: Task, max_size: int = 12) -> list[Finding]:
    near_truth = [i.span.start for i in task.issues] or [1]
    line = st.one_of(
        st.integers(min_value=1, max_value=task.line_count + 5),
        st.sampled_from(near_truth).flatmap(
            lambda n: st.integers(min_value=max(1, n - 3), max_value=n + 3)
        ),
    )
    truth_categories = [i.category for i in task.issues] or CATEGORY_IDS
    category = st.one_of(st.sampled_from(CATEGORY_IDS), st.sampled_from(truth_categories))
    item = st.builds(Finding, line=line, category=category, message=words)
    return draw(st.lists(item, max_size=max_size))


@st.composite
def task_and_findings(draw: st.DrawFn) -> tuple[Task, list[Finding]]:
    task = draw(any_task)
    return task, draw(findings_for(task))


@FAST
@given(task_with_issues, st.randoms())
def test_spelling_a_category_by_any_alias_changes_nothing(task: Task, rng) -> None:
    def spell(category: str) -> str:
        entry = TAXONOMY.get(category)
        if entry is None:
            return category.lower().replace("-", "_")
        names = [*entry.aliases, entry.title, entry.id]
        if entry.primary_cwe is not None:
            names.append(f"CWE-{entry.primary_cwe}")
        return rng.choice(names)

    respelled = [
        {"line": f.line, "category": spell(f.category), "message": f.message} for f in oracle(task)
    ]
    assert all(normalize_name(r["category"]) for r in respelled)
    assert grade(task, respelled).model_dump() == grade(task, oracle(task)).model_dump()


def test_reformatting_the_snippet_keeps_the_oracle_at_one(tmp_path: Path) -> None:
    source_dir = FIXTURES / "user_repo"
    moved_dir = tmp_path / "user_repo"
    moved_dir.mkdir()
    (moved_dir / "task.toml").write_text((source_dir / "task.toml").read_text())
    text = (source_dir / "snippet.py").read_text()
    # Squash the layout, then let ruff format rebuild it, then shift everything down.
    squashed = text.replace("\n\n", "\n").replace("    def ", "    def  ")
    (moved_dir / "snippet.py").write_text(squashed)
    subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--quiet", str(moved_dir / "snippet.py")],
        check=True,
    )
    formatted = (moved_dir / "snippet.py").read_text()
    (moved_dir / "snippet.py").write_text("\n\n\n" + formatted)
    original, moved = load_task(source_dir), load_task(moved_dir)
    assert [i.span.start for i in moved.issues] != [i.span.start for i in original.issues]
    assert grade(moved, oracle(moved)).score == 1.0
    # The old line numbers are now wrong: ground truth moved with the code.
    assert grade(moved, oracle(original)).score < 1.0
    first = {i.id: original.source.splitlines()[i.span.start - 1].split() for i in original.issues}
    second = {i.id: moved.source.splitlines()[i.span.start - 1].split() for i in moved.issues}
    assert first == second


@FAST
@given(task_and_findings())
def test_reports_survive_a_json_round_trip(case: tuple[Task, list[Finding]]) -> None:
    task, findings = case
    report = grade(task, findings)
    assert GradeReport.model_validate_json(report.model_dump_json()) == report
    redacted = report.redacted()
    assert GradeReport.model_validate_json(redacted.model_dump_json()) == redacted
