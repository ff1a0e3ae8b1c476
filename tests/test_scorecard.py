"""The scorecard ranks the baseline agents the way a hard-to-game grader must."""

from __future__ import annotations

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
