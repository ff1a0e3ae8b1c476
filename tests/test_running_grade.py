"""Incremental grading is re-grading, only cheaper: a law over random action sequences.

An episode grades each ``report`` step with a :class:`graderlib.RunningGrade`, which scores
only the new findings. Its report must be byte-identical (``model_dump_json``) to ``grade()``
of every finding so far, after every step, whatever the order, the duplicates, the identical
reports with different text, and the hints, patches and finalize in between.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graderlib import (
    EpisodeProgress,
    Finding,
    FindingVerdict,
    GradeReport,
    GradeSummary,
    RewardPolicy,
    RunningGrade,
    ScoreComponents,
    Task,
    grade,
)
from graderlib.episode import Episode, PatchOutcome
from graderlib.matching import SCORERS_KEPT, FindingMatch, MatchState, match, task_index
from tests.grading_support import law_tasks

POLICIES = (
    RewardPolicy(),
    RewardPolicy(recommendation_weight=0.3, near_lines=1),
    RewardPolicy(duplicate_penalty=0.0, vague_min_words=0),
)
MESSAGES = ("", "why", "user input reaches the query", "the default list is shared")
LAW = settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))


@st.composite
def finding_for(draw: st.DrawFn, task: Task) -> Finding:
    anchors = [i.span.start for i in task.issues] + [m.span.start for m in task.clean] or [1]
    line = draw(
        st.one_of(
            st.sampled_from(anchors).flatmap(lambda n: st.integers(max(1, n - 2), n + 2)),
            st.integers(1, task.line_count + 3),
        )
    )
    categories = [c for i in task.issues for c in i.categories] + ["xss", "weak-hash"]
    return Finding(
        line=line,
        end_line=draw(st.one_of(st.none(), st.integers(line, line + 3))),
        category=draw(st.sampled_from(categories)),
        message=draw(st.sampled_from(MESSAGES)),
        recommendation=draw(st.sampled_from([None, "use parameters", "copy the list"])),
        file=draw(st.sampled_from([None, None, None, "snippet.py", "other.py"])),
    )


@st.composite
def task_and_batches(draw: st.DrawFn) -> tuple[Task, RewardPolicy, list[list[Finding]]]:
    task = draw(st.sampled_from(law_tasks()))
    batch = st.lists(finding_for(task), min_size=1, max_size=6)
    return task, draw(st.sampled_from(POLICIES)), draw(st.lists(batch, min_size=1, max_size=8))


@LAW
@given(task_and_batches(), st.booleans(), st.integers(0, 3))
def test_running_grade_equals_grading_everything_after_every_batch(
    case: tuple[Task, RewardPolicy, list[list[Finding]]], patched: bool, hints: int
) -> None:
    task, policy, batches = case
    running = RunningGrade(task, policy)
    everything: list[Finding] = []
    for number, batch in enumerate(batches):
        running.add(batch)
        everything.extend(batch)
        progress = EpisodeProgress(
            hints_used=min(hints, number), patch_resolved=patched and number > 1
        )
        expected = grade(task, everything, policy, episode=progress)
        _assert_summary_reads_as(running.summary(progress), expected)
        start = len(everything) - len(batch)
        new = [FindingVerdict.model_validate(v) for v in running.verdicts(start)]
        assert new == expected.verdicts[start:]
        assert running.report(progress).model_dump_json() == expected.model_dump_json()
    assert running.report().model_dump_json() == grade(task, everything, policy).model_dump_json()


def _patch_verdict(task: Task, patch: str) -> PatchOutcome:
    return PatchOutcome(resolved=patch == "fix", summary="checked")


@LAW
@given(st.data())
def test_episode_reports_equal_grading_everything_over_random_actions(data: st.DataObject) -> None:
    task = data.draw(st.sampled_from(law_tasks()))
    episode = Episode(task=task, policy=RewardPolicy(), step_budget=20, verify_patch=_patch_verdict)
    action = st.one_of(
        st.lists(finding_for(task), min_size=1, max_size=5),
        st.sampled_from(["hint", "fix", "no fix", "finalize"]),
    )
    for step in data.draw(st.lists(action, min_size=1, max_size=12)):
        if episode.done:
            break
        if isinstance(step, list):
            episode.report_findings(step)
        elif step == "hint":
            episode.hint()
        elif step == "finalize":
            episode.finalize()
        else:
            episode.patch(step)
        progress = EpisodeProgress(
            hints_used=episode.hints_used,
            patch_resolved=episode.patch_resolved,
            finalized=episode.finalized,
        )
        expected = grade(task, episode.findings, episode.policy, episode=progress)
        _assert_summary_reads_as(episode.summary, expected)
        assert episode.score == expected.score
        assert episode.report.model_dump_json() == expected.model_dump_json()


def _assert_summary_reads_as(summary: GradeSummary, report: GradeReport) -> None:
    """Every number of the summary is the report's (the report is built only when asked)."""
    assert summary.score == report.score and summary.review_score == report.review_score
    assert ScoreComponents.model_validate(summary.components) == report.components
    assert (summary.issues_found, summary.issues_total) == (
        report.issues_found,
        report.issues_total,
    )
    assert dict(summary.open_by_severity) == report.open_by_severity
    assert list(summary.matched_categories) == report.matched_categories
    matched = {v.issue_id for v in report.verdicts if v.status == "matched"}
    assert summary.found_issue_ids == matched


@LAW
@given(task_and_batches())
def test_incremental_matching_equals_matching_everything(
    case: tuple[Task, RewardPolicy, list[list[Finding]]],
) -> None:
    """Rows the matcher does not name as changed keep their match, and every match equals
    the one of matching all findings at once."""
    task, policy, batches = case
    state = MatchState(task, policy)
    everything: list[Finding] = []
    previous: list[FindingMatch] = []
    for batch in batches:
        state.add(batch)
        everything.extend(batch)
        result = state.matching()
        assert result.findings == match(task, everything, policy).findings
        assert result.changed is not None
        unchanged = set(range(len(previous))) - set(result.changed)
        assert all(result.findings[row] == previous[row] for row in unchanged)
        previous = result.findings


def test_sessions_with_equal_policies_share_one_scorer() -> None:
    """A server builds a policy per session: equal policies must not rebuild the scorer."""
    task = law_tasks()[0]
    index = task_index(task)
    first = index.scorer_for(RewardPolicy())
    other_policy = RewardPolicy(near_lines=1)
    other = index.scorer_for(other_policy)
    assert other is not first and other.policy is other_policy
    assert index.scorer_for(RewardPolicy()) is first  # an equal policy, a new instance
    assert index.scorer_for(other_policy) is other
    for near in range(SCORERS_KEPT + 1):  # more distinct policies than are kept
        index.scorer_for(RewardPolicy(near_lines=near, duplicate_penalty=0.01))
    assert len(index.scorers) == SCORERS_KEPT
