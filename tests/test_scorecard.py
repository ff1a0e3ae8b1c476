"""The scorecard ranks the baseline agents the way a hard-to-game grader must."""

from __future__ import annotations

from graderlib import grade
from graderlib.agents import keyword_agent
from graderlib.scorecard import scorecard
from tests.grading_support import law_tasks


def test_gaming_agents_score_near_zero_and_the_oracle_scores_one() -> None:
    tasks = [t for t in law_tasks() if t.issues]
    cards = {c.agent: c for c in scorecard(tasks, ["oracle", "shotgun", "keyword", "random"])}
    assert cards["oracle"].mean_score == 1.0 and cards["oracle"].mean_youden == 1.0
    assert cards["shotgun"].mean_score == 0.0
    assert cards["keyword"].mean_score == 0.0
    assert all(rate.tpr == 0.0 for rate in cards["keyword"].categories)
    assert cards["random"].mean_score < 0.2


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
