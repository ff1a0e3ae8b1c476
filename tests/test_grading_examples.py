"""Example tests that pin the grader's behaviour on a real task."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graderlib import EpisodeProgress, Finding, RewardPolicy, grade, load_task
from tests.grading_support import FIXTURES, RATIONALE, make_task, oracle

TASK = load_task(FIXTURES / "user_repo")
SQLI_LINE = 11


def one(line: int, category: str = "sql-injection", **extra: object) -> list[Finding]:
    return [Finding(line=line, category=category, message=RATIONALE, **extra)]


def test_exact_line_beats_overlap_beats_near_and_far_earns_nothing() -> None:
    policy = RewardPolicy()
    exact = grade(TASK, one(SQLI_LINE)).verdicts[0]
    near1 = grade(TASK, one(SQLI_LINE - 1)).verdicts[0]
    near2 = grade(TASK, one(SQLI_LINE + 2)).verdicts[0]
    far = grade(TASK, one(SQLI_LINE - 3)).verdicts[0]
    assert exact.exact_line and exact.location_quality == 1.0
    assert near1.location_quality == pytest.approx((1 - policy.line_bonus) * (1 - 1 / 3))
    assert near2.location_quality == pytest.approx((1 - policy.line_bonus) * (1 - 2 / 3))
    assert exact.points > near1.points > near2.points > 0
    assert far.status == "false_positive" and far.points < 0


def test_overlapping_a_multi_line_span_earns_full_credit_without_the_bonus() -> None:
    auth = next(i for i in TASK.issues if i.id == "missing-authorization")
    inside = grade(TASK, one(auth.span.end, "missing-authorization")).verdicts[0]
    assert inside.status == "matched" and not inside.exact_line
    assert inside.location_quality == pytest.approx(1 - RewardPolicy().line_bonus)


def test_a_range_over_the_whole_file_does_not_overlap_everything() -> None:
    wide = grade(TASK, one(1, end_line=TASK.line_count))
    assert wide.verdicts[0].status == "false_positive"


def test_cwe_parent_earns_partial_credit_and_unrelated_earns_none() -> None:
    parent = grade(TASK, one(SQLI_LINE, "CWE-943")).verdicts[0]
    unrelated = grade(TASK, one(SQLI_LINE, "xss")).verdicts[0]
    assert parent.status == "matched" and parent.relation == "parent_child"
    assert parent.category_quality == RewardPolicy().parent_child_credit
    assert unrelated.status == "false_positive"
    assert "does not fit" in unrelated.reason


def test_safe_look_alike_costs_more_than_a_plain_false_positive() -> None:
    look_alike = grade(TASK, one(16)).verdicts[0]
    plain = grade(TASK, one(3, "xss")).verdicts[0]
    assert look_alike.status == "ok_violation"
    assert look_alike.points < plain.points < 0


def test_assignment_is_optimal_not_greedy(tmp_path: Path) -> None:
    task_dir = make_task(
        tmp_path,
        "def f(db, a, b):\n"
        "    x = 1\n"
        "    # expect: sqli id=first\n"
        "    db.execute('%s' % a)\n"
        "    y = 2\n"
        "    # expect: sqli id=second\n"
        "    db.execute('%s' % b)\n",
    )
    task = load_task(task_dir)
    assert [i.span.start for i in task.issues] == [3, 5]
    # Finding 0 (line 4) is as close to both issues; finding 1 (line 2) can only reach the
    # first. Taking them in order, greedily, would leave the second issue unfound.
    findings = [
        Finding(line=4, category="sqli", message=RATIONALE),
        Finding(line=2, category="sqli", message=RATIONALE),
    ]
    report = grade(task, findings)
    assert [v.issue_id for v in report.verdicts] == ["second", "first"]
    assert report.issues_found == 2


def test_duplicates_and_vague_findings_cost_points() -> None:
    report = grade(TASK, [*one(SQLI_LINE), *one(SQLI_LINE + 1), Finding(line=25, category="md5")])
    statuses = [v.status for v in report.verdicts]
    assert statuses == ["matched", "duplicate", "matched"]
    assert report.verdicts[1].duplicate_of == 0
    assert report.verdicts[2].vague
    assert report.components.duplicate_penalty == RewardPolicy().duplicate_penalty
    assert report.components.vague_penalty == RewardPolicy().vague_penalty


def test_critical_security_issues_weigh_most() -> None:
    sqli = grade(TASK, one(SQLI_LINE)).score
    leak = grade(TASK, one(30, "resource-leak")).score
    assert sqli > leak > 0


def test_recommendation_bonus_uses_fix_keywords_when_enabled() -> None:
    policy = RewardPolicy(recommendation_weight=0.5)
    bare = grade(TASK, one(SQLI_LINE), policy)
    good = grade(
        TASK, one(SQLI_LINE, recommendation="bind a parameter with a ? placeholder"), policy
    )
    assert good.score > bare.score
    assert good.components.recommendation_bonus > 0


def test_recommendation_bonus_is_the_keyword_share_of_recall_exactly() -> None:
    # sqli-find weighs 6 (critical 4 x security 1.5) of the task's 19; half of its credit
    # (recommendation_weight) is paid in proportion to the fix keywords the finding names.
    policy = RewardPolicy(recommendation_weight=0.5)
    cases = {
        "no keyword": (None, 6 * 0.5 / 19, 0.0),
        "one keyword of three": ("use a parameter", 6 * (0.5 + 0.5 / 3) / 19, 6 * 0.5 / 3 / 19),
        "all three": ("bind a parameter with a ? placeholder", 6 / 19, 6 * 0.5 / 19),
    }
    for name, (recommendation, recall, bonus) in cases.items():
        report = grade(TASK, one(SQLI_LINE, recommendation=recommendation), policy)
        assert report.components.recall == round(recall, 6), name
        assert report.components.recommendation_bonus == round(bonus, 6), name


def test_episode_score_adds_patch_and_finalize_and_charges_hints() -> None:
    policy = RewardPolicy()
    review_only = grade(TASK, oracle(TASK))
    assert review_only.score == 1.0
    partial = grade(TASK, oracle(TASK), episode=EpisodeProgress())
    assert partial.score == pytest.approx(1 - policy.patch_bonus - policy.finalize_bonus)
    full = grade(TASK, oracle(TASK), episode=EpisodeProgress(patch_resolved=True, finalized=True))
    assert full.score == 1.0
    hinted = grade(TASK, oracle(TASK), episode=EpisodeProgress(hints_used=2, finalized=True))
    assert hinted.score == pytest.approx(1 - policy.patch_bonus - 2 * policy.hint_penalty)


def test_redacted_report_says_nothing_about_unfound_ground_truth() -> None:
    report = grade(TASK, [*one(SQLI_LINE), *one(24, "xss")])
    text = report.redacted().model_dump_json()
    for issue in TASK.issues:
        if issue.id == "sqli-find":
            continue
        for secret in (issue.id, issue.hint, issue.explanation):
            if secret:
                assert secret not in text
    assert "missing-authorization" in report.model_dump_json()  # the full report does say it
    assert json.loads(text)["missed"] == []


def test_policy_rejects_nonsense() -> None:
    with pytest.raises(ValueError, match="severity_weights"):
        RewardPolicy(severity_weights={"critical": 1.0})
    with pytest.raises(ValueError):
        RewardPolicy(line_bonus=1.5)


def test_near_credit_does_not_jump_over_a_safe_look_alike(tmp_path: Path) -> None:
    task_dir = make_task(
        tmp_path,
        "import os\n"
        "# expect: hardcoded-secret\n"
        'TOKEN = os.environ.get("TOKEN", "tok-7f3a9c2e41b8")\n'
        "# ok: hardcoded-secret\n"
        'NAME = os.environ.get("NAME", "service")\n'
        "\n"
        "PORT = 8080\n",
    )
    task = load_task(task_dir)
    secret = task.issues[0].span.start
    below_look_alike = [Finding(line=secret + 2, category="hardcoded-secret", message=RATIONALE)]
    above = [Finding(line=secret - 1, category="hardcoded-secret", message=RATIONALE)]
    assert grade(task, below_look_alike).verdicts[0].status == "false_positive"
    assert grade(task, above).verdicts[0].status == "matched"
