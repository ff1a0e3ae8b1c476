"""The environment in process (no server): task selection, hints, budgets, reward laws."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from env.models import CodeReviewAction, ReviewFinding
from env.server.catalog import Catalog, TaskSelectionError, load_catalog
from env.server.environment import CodeReviewEnvironment
from graderlib import EpisodeError, EpisodeProgress, RewardPolicy, default_taxonomy, grade
from graderlib.task import public_task_id

FIXTURES = Path(__file__).parent / "fixtures" / "env_tasks"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(FIXTURES)


def make_env(catalog: Catalog, budget: int = 16) -> CodeReviewEnvironment:
    return CodeReviewEnvironment(catalog=catalog, step_budget=budget)


def report(*findings: dict[str, object]) -> CodeReviewAction:
    return CodeReviewAction(kind="report", findings=[ReviewFinding(**f) for f in findings])  # type: ignore[arg-type]


def test_reset_picks_by_id_filters_index_and_seed(catalog: Catalog) -> None:
    env = make_env(catalog)
    ledger = public_task_id("env-ledger")
    assert env.reset(task_id="env-ledger").task_id == ledger
    assert env.reset(task_id=ledger).task_id == ledger
    assert env.reset(difficulty="hard").task_id == public_task_id("env-config-loader")
    assert env.reset(split="train", index=0).task_id == public_task_id("env-clean-cache")
    drawn = {env.reset(seed=s).task_id for s in range(30)}
    assert drawn == {t.public_id for t in catalog.tasks}
    assert all(env.reset(seed=7).task_id == env.reset(seed=7).task_id for _ in range(3))


def test_public_id_is_opaque_stable_and_the_only_id_shown(catalog: Catalog) -> None:
    """Author ids name the bug (sqli-user-lookup); the agent sees a hash of them instead."""
    # Pinned: sha256("sqli-user-lookup") starts dd20d289a9aa; a trainer can recompute it.
    assert public_task_id("sqli-user-lookup") == "task-dd20d289a9aa"
    assert len({t.public_id for t in catalog.tasks}) == len(catalog.tasks)
    for task in catalog.tasks:
        assert task.public_id == public_task_id(task.id) and task.id not in task.public_id
        env = make_env(catalog)
        by_author = env.reset(task_id=task.id, episode_id="e1")
        state = env.state
        by_public = make_env(catalog).reset(task_id=task.public_id, episode_id="e1")
        assert by_author.model_dump() == by_public.model_dump()
        assert (by_author.task_id, state.task_id) == (task.public_id, task.public_id)
        final = env.step(CodeReviewAction(kind="finalize"))
        assert final.report is not None and final.report["task_id"] == task.public_id
        shown = [by_author.model_dump_json(), final.model_dump_json(), env.state.model_dump_json()]
        assert not any(t.id in text for t in catalog.tasks for text in shown)
        assert catalog.find(task.id) is catalog.find(task.public_id) is task


def test_unknown_task_id_error_names_no_other_task(catalog: Catalog) -> None:
    with pytest.raises(TaskSelectionError) as caught:
        make_env(catalog).reset(task_id="no-such-task")
    message = str(caught.value)
    assert "unknown task_id 'no-such-task'" in message
    assert not any(t.id in message or t.public_id in message for t in catalog.tasks)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"task_id": "nope"}, "unknown task_id 'nope'"),
        ({"split": "dev"}, "unknown split 'dev'"),
        ({"difficulty": "extreme"}, "unknown difficulty 'extreme'"),
        ({"split": "test"}, "no task matches split='test'"),
        ({"split": "train", "index": 99}, "index 99 is out of range"),
        ({"task": "env-ledger"}, "unknown reset argument"),
        ({"task_id": 3}, "task_id must be a string"),
        ({"seed": "x"}, "seed must be an integer"),
    ],
)
def test_reset_errors_name_the_problem(
    catalog: Catalog, arguments: dict[str, object], message: str
) -> None:
    with pytest.raises((TaskSelectionError, ValueError), match=message):
        make_env(catalog).reset(**arguments)  # type: ignore[arg-type]


def test_observation_shows_the_task_and_the_vocabulary(catalog: Catalog) -> None:
    obs = make_env(catalog).reset(task_id="env-ledger")
    assert obs.snippet.splitlines()[14] == (
        "15 |     row = conn.execute(f\"SELECT SUM(amount) FROM entries WHERE owner = '{owner}'\")"
        ".fetchone()"
    )
    assert obs.categories == list(default_taxonomy().ids)
    assert (obs.issues_total, obs.issues_found, obs.score, obs.reward) == (2, 0, 0.0, None)
    assert obs.open_severities == {"critical": 1, "high": 0, "medium": 1, "low": 0}
    assert (obs.step_budget, obs.remaining_steps, obs.done) == (16, 16, False)


def test_hints_go_most_severe_first_and_are_never_repeated(catalog: Catalog) -> None:
    env = make_env(catalog)
    env.reset(task_id="env-config-loader")
    first = env.step(CodeReviewAction(kind="hint"))
    second = env.step(CodeReviewAction(kind="hint"))
    third = env.step(CodeReviewAction(kind="hint"))
    # The critical command injection has no authored hint: it gets "where to look".
    assert first.hints == ["Look again at line 14."]
    assert second.hints == ["Look again at line 14.", "Look again at line 9."]
    assert (first.reward, second.reward) == (0.0, 0.0)  # the score is clamped at 0
    assert "no new hint" in third.feedback
    assert env.state.hints_used == 2


def test_hint_penalty_and_no_penalty_when_everything_is_found(catalog: Catalog) -> None:
    env = make_env(catalog)
    env.reset(task_id="env-ledger")
    found = env.step(
        report(
            {"line": 15, "category": "sqli", "message": "owner is formatted into the SQL"},
            {"line": 24, "category": "B006", "message": "the default list is shared"},
        )
    )
    assert (found.issues_found, found.score, found.reward) == (2, 0.8, 0.8)
    hint = env.step(CodeReviewAction(kind="hint"))
    assert "every issue has been found" in hint.feedback
    assert (hint.reward, hint.score) == (0.0, 0.8)


def test_clean_task_finalized_at_once_scores_one(catalog: Catalog) -> None:
    env = make_env(catalog)
    env.reset(task_id="env-clean-cache")
    final = env.step(CodeReviewAction(kind="finalize"))
    assert (final.done, final.reward, final.score) == (True, 1.0, 1.0)
    assert final.report is not None and final.report["redacted_view"] is True


def test_ok_mark_and_duplicates_cost_points(catalog: Catalog) -> None:
    env = make_env(catalog)
    env.reset(task_id="env-ledger")
    env.step(
        report({"line": 15, "category": "sql-injection", "message": "owner formatted into SQL"})
    )
    after = env.step(
        report(
            {"line": 15, "category": "sql-injection", "message": "the same thing again here"},
            {"line": 20, "category": "sql-injection", "message": "constant query flagged wrongly"},
        )
    )
    # duplicate 0.1 + safe look-alike 0.2 off the review part (0.75), times its share 0.8
    assert after.reward == pytest.approx(-0.24, abs=1e-9)
    assert "1 duplicate" in after.feedback and "safe look-alike" in after.feedback


def test_errors_before_reset_and_after_the_end(catalog: Catalog) -> None:
    env = make_env(catalog)
    with pytest.raises(EpisodeError, match="call reset"):
        env.step(CodeReviewAction(kind="hint"))
    env.reset(task_id="env-clean-cache")
    env.step(CodeReviewAction(kind="finalize"))
    with pytest.raises(EpisodeError, match="the episode is over"):
        env.step(CodeReviewAction(kind="hint"))
    assert env.state.step_count == 1


def test_episode_finding_cap(catalog: Catalog) -> None:
    env = make_env(catalog, budget=10)
    env.reset(task_id="env-ledger")
    batch = [
        {"line": 1 + i % 28, "category": "xss", "message": f"guess {i} here"} for i in range(50)
    ]
    for _ in range(4):
        env.step(report(*batch))
    with pytest.raises(EpisodeError, match="at most 200 findings"):
        env.step(report(*batch[:1]))


actions = st.one_of(
    st.just({"kind": "hint"}),
    st.builds(
        lambda line, category, extra: {
            "kind": "report",
            "findings": [
                {"line": line, "category": category, "message": "a finding message", **extra}
            ],
        },
        st.integers(min_value=1, max_value=30),
        st.sampled_from(
            ["sql-injection", "mutable-default-argument", "xss", "weak-hash", "B608", "CWE-89"]
        ),
        st.fixed_dictionaries(
            {},
            optional={
                "severity": st.sampled_from(["HIGH", "low"]),
                "recommendation": st.just("use parameters"),
                "file": st.sampled_from(["snippet.py", "other.py"]),
                "rule_id": st.just("B608"),
            },
        ),
    ),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(steps=st.lists(actions, min_size=0, max_size=8), finalize=st.booleans())
def test_rewards_sum_to_the_final_score(
    catalog: Catalog, steps: list[dict[str, object]], finalize: bool
) -> None:
    env = make_env(catalog, budget=9)
    env.reset(task_id="env-ledger")
    rewards: list[float] = []
    findings: list[dict[str, object]] = []
    obs = None
    for step in [*steps, {"kind": "finalize"}] if finalize else steps:
        obs = env.step(CodeReviewAction.model_validate(step))
        assert obs.reward is not None and 0.0 <= obs.score <= 1.0
        rewards.append(obs.reward)
        findings.extend(step.get("findings", []))  # type: ignore[arg-type]
    final = obs.score if obs is not None else 0.0
    assert sum(rewards) == pytest.approx(final, abs=1e-9)
    # The environment's score is exactly graderlib's for the same findings and progress.
    expected = grade(
        catalog.by_id["env-ledger"],
        findings,
        RewardPolicy(),
        episode=EpisodeProgress(hints_used=env.state.hints_used, finalized=finalize),
    )
    assert final == (expected.score if steps or finalize else 0.0)


def test_observations_carry_the_last_steps_and_state_carries_all(catalog: Catalog) -> None:
    from env.server.environment import HISTORY_IN_OBSERVATION

    env = make_env(catalog, budget=12)
    env.reset(task_id="env-ledger")
    observations = [env.step(CodeReviewAction(kind="hint")) for _ in range(11)]
    last = observations[-1]
    assert [h.step for h in last.history] == list(range(12 - HISTORY_IN_OBSERVATION, 12))
    assert [h.step for h in observations[2].history] == [1, 2, 3]
    assert [h.step for h in env.state.history] == list(range(1, 12))
    assert env.state.history[-HISTORY_IN_OBSERVATION:] == last.history
    assert sum(h.reward for h in env.state.history) == pytest.approx(last.score, abs=1e-9)


def test_lean_observations_send_the_task_once_and_then_what_changed(catalog: Catalog) -> None:
    full, lean = make_env(catalog), make_env(catalog)
    first_full = full.reset(task_id="env-ledger", episode_id="e")
    first_lean = lean.reset(task_id="env-ledger", episode_id="e", lean=True)
    assert first_lean == first_full  # the reset observation is the same either way
    actions = [
        report({"line": 15, "category": "sqli", "message": "owner is formatted into SQL"}),
        CodeReviewAction(kind="hint"),
        CodeReviewAction(kind="finalize"),
    ]
    for action in actions:
        a, b = full.step(action), lean.step(action)
        assert (b.snippet, b.description, b.categories) == ("", "", [])
        assert a.snippet == first_full.snippet and a.categories == first_full.categories
        assert len(b.history) == 1 and b.history == a.history[-1:]
        what_changed = {"history", "snippet", "description", "categories"}
        assert b.model_dump(exclude=what_changed) == a.model_dump(exclude=what_changed)
    assert full.state == lean.state
    with pytest.raises(ValueError, match="lean must be true or false"):
        lean.reset(task_id="env-ledger", lean="yes")  # type: ignore[arg-type]
