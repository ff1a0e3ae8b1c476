"""The grader's laws, stated as hypothesis properties over real tasks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from graderlib import Finding, GradeReport, RewardPolicy, Task, default_taxonomy, grade, load_task
from graderlib.taxonomy import normalize_name
from tests.grading_support import (
    FIXTURES,
    RATIONALE,
    clean_tasks,
    law_tasks,
    oracle,
    tasks_with_issues,
)

TAXONOMY = default_taxonomy()
CATEGORY_IDS = sorted(TAXONOMY.ids)
POLICY = RewardPolicy()
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

any_task = st.sampled_from(law_tasks())
task_with_issues = st.sampled_from(tasks_with_issues())
words = st.text(alphabet="abcdefghij klmnop", min_size=0, max_size=40)


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
@given(task_and_findings())
def test_score_is_always_between_zero_and_one(case: tuple[Task, list[Finding]]) -> None:
    task, findings = case
    report = grade(task, findings)
    assert 0.0 <= report.score <= 1.0
    assert 0.0 <= report.review_score <= 1.0


def test_oracle_scores_one_on_every_task() -> None:
    for task in law_tasks():
        assert grade(task, oracle(task)).score == 1.0, task.id


def test_no_findings_scores_zero_on_every_task_with_issues() -> None:
    for task in tasks_with_issues():
        assert grade(task, []).score == 0.0, task.id


@FAST
@given(st.sampled_from(clean_tasks()), st.data())
def test_clean_task_no_findings_is_the_oracle_and_any_finding_lowers(
    task: Task, data: st.DataObject
) -> None:
    assert grade(task, []).score == 1.0
    findings = data.draw(findings_for(task).filter(bool))
    assert grade(task, findings).score < 1.0


@FAST
@given(task_and_findings(), st.randoms())
def test_order_of_findings_never_matters(case: tuple[Task, list[Finding]], rng) -> None:
    task, findings = case
    shuffled = list(findings)
    rng.shuffle(shuffled)
    first, second = grade(task, findings), grade(task, shuffled)
    assert first.score == second.score
    assert first.components == second.components
    assert sorted(v.status for v in first.verdicts) == sorted(v.status for v in second.verdicts)


def _dense_optimum(task: Task, findings: list[Finding]) -> float:
    """The best total credit any one-to-one pairing could earn, from the full pair matrix.

    An independent reading of the documented rules (policy.py, matching.py), written out
    densely, against which the sparse matcher must reach the same optimum.
    """
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    k, bonus = POLICY.near_lines, POLICY.line_bonus
    weights = [
        POLICY.issue_weight(i.severity, TAXONOMY.is_security(i.category)) for i in task.issues
    ]
    distinct = list(dict.fromkeys((f.line, f.category) for f in findings))
    value = np.zeros((len(distinct), len(task.issues)))
    for row, (line, category) in enumerate(distinct):
        marks = [c.span for c in task.clean if category in c.categories]
        if line > task.line_count or any(m.start <= line <= m.end for m in marks):
            continue
        for column, issue in enumerate(task.issues):
            relation = max(TAXONOMY.relation(category, c) for c in issue.categories)
            start, end = issue.span.start, issue.span.end
            distance = max(0, start - line, line - end)
            if line == start or issue.scope == "file":
                location = 1.0
            elif distance <= k:
                low, high = (end, line) if line > end else (line, start)
                between = any(m.start < high and m.end > low for m in marks)
                location = 0.0 if distance and between else (1 - bonus) * (1 - distance / (k + 1))
            else:
                location = 0.0
            value[row, column] = POLICY.category_credit(relation) * location * weights[column]
    rows, columns = linear_sum_assignment(value, maximize=True)
    return float(value[rows, columns].sum()) / sum(weights)


@FAST
@given(task_and_findings())
def test_recall_is_the_optimum_of_the_dense_pair_matrix(
    case: tuple[Task, list[Finding]],
) -> None:
    task, findings = case
    assume(task.issues)
    report = grade(task, findings)
    assert abs(report.components.recall - _dense_optimum(task, findings)) < 1e-5


@FAST
@given(task_and_findings(), st.data())
def test_a_duplicate_never_raises_the_score(case: tuple[Task, list[Finding]], data) -> None:
    task, findings = case
    assume(findings)
    copy = data.draw(st.sampled_from(findings))
    assert grade(task, [*findings, copy]).score <= grade(task, findings).score


@FAST
@given(task_and_findings(), st.sampled_from(CATEGORY_IDS), st.integers(0, 200))
def test_a_false_positive_never_raises_the_score(
    case: tuple[Task, list[Finding]], category: str, offset: int
) -> None:
    task, findings = case
    far = [
        line
        for line in range(1, task.line_count + 1)
        if all(i.span.distance(line, line) > POLICY.near_lines for i in task.issues)
        and i_not_file_scope(task)
    ]
    assume(far)
    extra = Finding(line=far[offset % len(far)], category=category, message=RATIONALE)
    before, after = grade(task, findings), grade(task, [*findings, extra])
    assert after.score <= before.score
    assert after.components.recall == before.components.recall


def i_not_file_scope(task: Task) -> bool:
    return all(i.scope != "file" for i in task.issues)


@FAST
@given(task_with_issues, st.data())
def test_moving_a_finding_away_from_its_issue_never_raises_the_score(task: Task, data) -> None:
    issue = data.draw(st.sampled_from(task.issues))
    assume(issue.scope != "file")
    direction = data.draw(st.sampled_from([-1, 1]))
    others = [i for i in task.issues if i is not issue]
    previous = None
    for step in range(0, POLICY.near_lines + 4):
        edge = issue.span.start if direction < 0 else issue.span.end
        line = edge + direction * step if step else issue.span.start
        if not 1 <= line <= task.line_count:
            break
        # Only while the move does not bring it near another issue it could also match.
        if any(o.span.distance(line, line) <= POLICY.near_lines + 1 for o in others):
            break
        score = grade(task, [Finding(line=line, category=issue.category, message=RATIONALE)])
        if previous is not None:
            assert score.score <= previous
        previous = score.score


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


def test_a_shotgun_report_scores_at_most_a_tenth_on_every_task() -> None:
    for task in law_tasks():
        shotgun = [
            Finding(line=line, category=category, message=RATIONALE)
            for line in range(1, task.line_count + 1)
            for category in CATEGORY_IDS
        ]
        assert grade(task, shotgun).score <= 0.1, task.id


def test_text_never_stands_in_for_location() -> None:
    for task in tasks_with_issues():
        for issue in task.issues:
            if issue.scope == "file":
                continue
            stuffed = " ".join(
                [issue.explanation or "", issue.hint or "", *issue.fix_keywords, issue.category]
            )
            far_lines = [
                line
                for line in [*range(1, task.line_count + 1), task.line_count + 50]
                if issue.span.distance(line, line) > POLICY.near_lines
            ]
            for line in far_lines[:: max(1, len(far_lines) // 5)]:
                finding = Finding(line=line, category=issue.category, message=stuffed)
                verdict = grade(task, [finding]).verdicts[0]
                assert verdict.issue_id != issue.id, (task.id, issue.id, line)


def test_the_oracle_ten_times_scores_strictly_below_the_oracle() -> None:
    for task in tasks_with_issues():
        assert grade(task, oracle(task) * 10).score < grade(task, oracle(task)).score


def test_ten_thousand_findings_finish_and_stay_correct() -> None:
    task = load_task(FIXTURES / "user_repo")
    far_line = task.line_count + 1  # outside the file: never a match
    noise = [
        Finding(line=far_line + n % 500, category=CATEGORY_IDS[n % len(CATEGORY_IDS)], message="x")
        for n in range(10_000 - len(task.issues))
    ]
    report = grade(task, [*noise, *oracle(task)])
    assert report.issues_found == len(task.issues)
    assert report.components.recall == 1.0
    assert len(report.false_positives) == len(noise)
    assert report.score == 0.0


@FAST
@given(task_and_findings())
def test_reports_survive_a_json_round_trip(case: tuple[Task, list[Finding]]) -> None:
    task, findings = case
    report = grade(task, findings)
    assert GradeReport.model_validate_json(report.model_dump_json()) == report
    redacted = report.redacted()
    assert GradeReport.model_validate_json(redacted.model_dump_json()) == redacted
