"""The Rubric tree that owns the environment's reward (in process; no server)."""

from __future__ import annotations

import asyncio
import gc
import importlib
import weakref
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import graderlib.verify
from env.models import CodeReviewAction, ReviewFinding
from env.server.catalog import Catalog, load_catalog
from env.server.environment import CodeReviewEnvironment
from env.server.rubric import TERMS, CodeReviewRubric, attribute
from graderlib import Episode, PatchOutcome, RewardPolicy, Task, verify_patch_outcome
from graderlib.detectors.external import ToolError
from tests.env_support import Server

FIXTURES = Path(__file__).parent / "fixtures" / "env_tasks"


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog(FIXTURES)


def finding(line: int, category: str, message: str) -> ReviewFinding:
    return ReviewFinding(line=line, category=category, message=message)


def test_the_tree_names_every_term_and_the_environment_uses_it(catalog: Catalog) -> None:
    env = CodeReviewEnvironment(catalog=catalog)
    assert isinstance(env.rubric, CodeReviewRubric)
    assert [name for name, _ in env.rubric.named_rubrics()] == list(TERMS)
    assert all(child.last_score is None for child in env.rubric.children())


def test_a_closed_session_is_freed_without_the_cycle_collector(catalog: Catalog) -> None:
    """Nothing of an ended session may wait for a full collection: under load, those
    collections walked every closed session's findings and were the p99 of a step."""
    gc.collect()
    gc.disable()
    try:
        env = CodeReviewEnvironment(catalog=catalog)
        env.reset(task_id="env-ledger")
        env.step(CodeReviewAction(kind="report", findings=[finding(15, "B608", "SQL built")]))
        first = weakref.ref(env._episode)
        env.reset(task_id="env-ledger")  # a reset lets go of the previous episode at once
        assert first() is None
        env.step(CodeReviewAction(kind="report", findings=[finding(24, "B006", "shared list")]))
        episode, tree = weakref.ref(env._episode), weakref.ref(env.rubric)
        env.close()  # what OpenEnv calls when the session ends
        del env
        assert episode() is None and tree() is None
    finally:
        gc.enable()


def test_each_step_reward_and_term_scores_of_a_full_episode(catalog: Catalog) -> None:
    """env-ledger: critical SQL injection (weight 6) and medium mutable default (weight 2);
    review share 0.8, patch 0.15, finalize 0.05, hint 0.05, false positive 0.1."""
    env = CodeReviewEnvironment(catalog=catalog)
    env.reset(task_id="env-ledger")
    fix = (FIXTURES / "env-ledger" / "fix.diff").read_text()
    steps = [
        CodeReviewAction(kind="report", findings=[finding(15, "B608", "owner formatted in SQL")]),
        CodeReviewAction(kind="hint"),
        CodeReviewAction(
            kind="report",
            findings=[
                finding(24, "mutable-default-argument", "the default list is shared"),
                finding(5, "weak-hash", "no hashing happens on this line"),
            ],
        ),
        CodeReviewAction(kind="patch", patch=fix),
        CodeReviewAction(kind="finalize"),
    ]
    observations = [env.step(action) for action in steps]
    assert [o.reward for o in observations] == [0.6, -0.05, 0.12, 0.15, 0.05]
    assert [h.reward for h in observations[-1].history] == [0.6, -0.05, 0.12, 0.15, 0.05]
    # after the third step: recall 1.0 x 0.8, one false positive 0.1 x 0.8, one hint
    assert observations[2].metadata["rubric_scores"] == {
        "recall": 0.8,
        "precision": -0.08,
        "hints": -0.05,
        "patch": 0.0,
        "finalize": 0.0,
    }
    final = observations[-1]
    assert final.metadata["rubric_scores"] == {
        "recall": 0.8,
        "precision": -0.08,
        "hints": -0.05,
        "patch": 0.15,
        "finalize": 0.05,
    }
    assert sum(final.metadata["rubric_scores"].values()) == pytest.approx(final.score, abs=1e-9)
    assert env.rubric.last_score == 0.05 and env.rubric.finalize.last_score == 0.05
    assert env.rubric.get_rubric("patch").last_score == 0.15


def test_hooks_on_a_term_run_with_its_score(catalog: Catalog) -> None:
    """A trainer's hooks on a child rubric see every step's term score, before and after."""
    env = CodeReviewEnvironment(catalog=catalog)
    rubric = env.rubric
    assert isinstance(rubric, CodeReviewRubric)
    seen: list[tuple[str, float | None]] = []
    rubric.recall.register_forward_pre_hook(lambda r, a, o: seen.append(("pre", r.last_score)))
    rubric.recall.register_forward_hook(lambda r, a, o, score: seen.append(("post", score)))
    env.reset(task_id="env-ledger")
    env.step(
        CodeReviewAction(kind="report", findings=[finding(15, "B608", "owner formatted in SQL")])
    )
    env.step(CodeReviewAction(kind="hint"))
    recall = rubric.recall.last_score
    assert recall is not None and recall > 0
    assert seen == [("pre", None), ("post", recall), ("pre", recall), ("post", recall)]
    assert rubric.precision.last_score == 0.0  # the children without hooks are scored too


def test_state_dict_carries_the_reward_policy() -> None:
    policy = RewardPolicy(hint_penalty=0.2, false_positive_penalty=0.3)
    rubric = CodeReviewRubric(policy)
    state = rubric.state_dict()
    assert state["policy"]["hint_penalty"] == 0.2 and set(state["terms"]) == set(TERMS)
    assert "sum to its final score" in state["reward"]
    restored = CodeReviewRubric()
    restored.load_state_dict(state)
    assert restored.policy == policy


def test_a_custom_policy_reaches_the_reward(catalog: Catalog) -> None:
    env = CodeReviewEnvironment(catalog=catalog, policy=RewardPolicy(hint_penalty=0.2))
    env.reset(task_id="env-ledger")
    env.step(CodeReviewAction(kind="report", findings=[finding(15, "B608", "owner in the SQL")]))
    assert env.step(CodeReviewAction(kind="hint")).reward == -0.2
    assert env.rubric.state_dict()["policy"]["hint_penalty"] == 0.2


# ------------------------------------------------------------------------ no verdict


def test_a_verifier_failure_is_no_verdict_not_zero(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(task: Task, patch: str, **_: object) -> None:
        raise OSError(f"the sandbox could not start for {task.id}")

    monkeypatch.setattr(graderlib.verify, "verify_patch", broken)
    env = CodeReviewEnvironment(catalog=catalog)
    env.reset(task_id="env-ledger")
    first = env.step(CodeReviewAction(kind="report", findings=[finding(15, "B608", "owner SQL")]))
    patched = env.step(CodeReviewAction(kind="patch", patch="--- a\n+++ b\n"))
    assert patched.reward is None
    assert patched.metadata["error"] == "the verifier failed (OSError)"
    assert "no verdict" in patched.feedback and "env-ledger" not in patched.model_dump_json()
    assert patched.history[-1].reward is None and patched.score == first.score
    assert not patched.patch_resolved and env.state.step_count == 2
    final = env.step(CodeReviewAction(kind="finalize"))
    scored = [h.reward for h in final.history if h.reward is not None]
    assert sum(scored) == pytest.approx(final.score, abs=1e-9)


def test_a_detector_failing_on_the_patched_code_only_is_no_verdict(
    catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Otherwise bandit's findings would vanish with it, which looks exactly like a fix."""
    task = catalog.find("env-ledger")
    assert task is not None and task.fix_path is not None
    fix = Path(task.fix_path).read_text()
    assert verify_patch_outcome(task, fix).resolved is True  # (scans the original for real)
    scan_module = importlib.import_module("graderlib.detectors.scan")
    real = scan_module.run_bandit

    def fails_on_new_code(source: str, path: str) -> object:
        if source != task.source:
            raise ToolError("bandit failed: simulated crash")
        return real(source, path)

    monkeypatch.setattr(scan_module, "run_bandit", fails_on_new_code)
    assert verify_patch_outcome(task, fix) == PatchOutcome(
        resolved=False,
        summary="",
        error="no verdict: a detector failed on the patched code (bandit)",
    )


def test_a_sandbox_that_cannot_run_the_original_is_no_verdict(tmp_path: Path) -> None:
    """The snippet kills its interpreter on import: the sandbox returns nothing to judge by."""
    task_dir = tmp_path / "exits"
    task_dir.mkdir()
    (task_dir / "task.toml").write_text('title = "exits"\ndifficulty = "easy"\n')
    (task_dir / "snippet.py").write_text(
        "import os\n\nos._exit(0)\n\n\ndef double(x):\n"
        "    # expect: off-by-one\n    return x * 2 + 1\n"
    )
    (task_dir / "test_task.py").write_text(
        "from snippet import double\n\n\ndef test_double():\n    assert double(2) == 4\n"
    )
    task = graderlib.load_task(task_dir)
    fixed = "def double(x):\n    return x * 2\n"
    outcome = verify_patch_outcome(task, fixed)
    assert outcome.error == "no verdict: the sandbox could not run the task's tests"
    # the same crash in the PATCHED code is the patch's doing: a verdict, not resolved
    ledger = load_catalog(FIXTURES).find("env-ledger")
    assert ledger is not None
    crashing = "import os\nos._exit(0)\n" + ledger.source
    outcome = verify_patch_outcome(ledger, crashing)
    assert outcome.error is None and outcome.resolved is False


def test_patch_verification_is_async_capable(catalog: Catalog) -> None:
    task = catalog.find("env-ledger")
    assert task is not None
    calls: list[str] = []

    def sync_verifier(task: Task, patch: str) -> PatchOutcome:
        calls.append("sync")
        return PatchOutcome(resolved=True, summary="ok")

    async def async_verifier(task: Task, patch: str) -> PatchOutcome:
        await asyncio.sleep(0)
        calls.append("async")
        return PatchOutcome(resolved=False, summary="no", error="tool crashed")

    threaded = CodeReviewRubric(verifier=sync_verifier).patch
    awaited = CodeReviewRubric(verifier=async_verifier).patch
    assert asyncio.run(threaded.verify_async(task, "x")).resolved is True
    assert asyncio.run(awaited.verify_async(task, "x")).error == "tool crashed"
    assert threaded.verify(task, "x").summary == "ok"
    with pytest.raises(TypeError, match="verify_async"):
        awaited.verify(task, "x")
    assert calls == ["sync", "async", "sync"]


# ------------------------------------------------------------- the terms add up exactly

actions = st.lists(
    st.one_of(
        st.just(("hint", None)),
        st.just(("patch", True)),
        st.just(("patch", False)),
        st.tuples(
            st.just("report"),
            st.lists(
                st.tuples(
                    st.integers(min_value=1, max_value=30),
                    st.sampled_from(["sql-injection", "mutable-default-argument", "xss", "B608"]),
                    st.sampled_from(["a finding message here", "vague"]),
                ),
                min_size=1,
                max_size=6,
            ),
        ),
    ),
    max_size=8,
)


@settings(max_examples=60, deadline=None)
@given(
    steps=actions,
    finalize=st.booleans(),
    task_id=st.sampled_from(["env-ledger", "env-clean-cache", "env-config-loader"]),
    hint_penalty=st.sampled_from([0.05, 0.4]),
)
def test_the_terms_sum_to_graderlibs_score_and_rewards_telescope(
    steps: list[tuple[str, object]], finalize: bool, task_id: str, hint_penalty: float
) -> None:
    task = load_catalog(FIXTURES).find(task_id)
    assert task is not None
    pending: list[bool] = []
    policy = RewardPolicy(hint_penalty=hint_penalty)

    def verifier(task: Task, patch: str) -> PatchOutcome:
        return PatchOutcome(resolved=pending.pop(), summary="scripted")

    rubric = CodeReviewRubric(policy, verifier=verifier)
    episode = Episode(task=task, policy=policy, step_budget=20, verify_patch=rubric.patch.verify)
    rubric.bind(episode)
    rewards: list[float] = []
    for kind, argument in [*steps, ("finalize", None)] if finalize else steps:
        if kind == "hint":
            episode.hint()
        elif kind == "patch":
            pending.append(bool(argument))
            episode.patch("scripted")
        elif kind == "report":
            episode.report_findings(
                [
                    graderlib.Finding(line=line, category=category, message=message)
                    for line, category, message in argument  # type: ignore[attr-defined]
                ]
            )
        else:
            episode.finalize()
        reward = rubric(CodeReviewAction(kind="hint"), None)
        assert reward == episode.history[-1].reward
        rewards.append(reward)
        terms = rubric.scores()
        assert sum(v for v in terms.values() if v is not None) == pytest.approx(
            episode.score, abs=5e-6
        )
        assert terms == attribute(episode, policy)
        assert terms["precision"] <= 0 and terms["hints"] <= 0 <= terms["recall"]  # type: ignore[operator]
    assert sum(rewards) == pytest.approx(episode.score, abs=1e-6)


def test_reset_clears_the_tree(catalog: Catalog) -> None:
    env = CodeReviewEnvironment(catalog=catalog)
    env.reset(task_id="env-ledger")
    env.step(CodeReviewAction(kind="finalize"))
    assert env.rubric.finalize.last_score == 0.05
    env.reset(task_id="env-config-loader")
    assert env.rubric.last_score is None
    assert all(child.last_score is None for child in env.rubric.children())


# ------------------------------------------------------------- no verdict, over the wire


@pytest.mark.slow
def test_no_verdict_reaches_the_client_as_reward_none(
    corpus_server: Server, corpus_server_tasks: Path
) -> None:
    """A real verifier failure on a live server: a task's tests vanish after startup."""
    from openenv import GenericEnvClient

    from tests.conftest import DISPOSABLE_TASK

    fix = (FIXTURES / "env-ledger" / "fix.diff").read_text()
    (corpus_server_tasks / "disposable" / DISPOSABLE_TASK / "test_task.py").unlink()
    with GenericEnvClient(base_url=corpus_server.url).sync() as client:
        client.reset(task_id=DISPOSABLE_TASK)
        result = client.step({"kind": "patch", "patch": fix})
        final = client.step({"kind": "finalize"})
    log = corpus_server.log()
    assert result.reward is None and result.done is False
    assert result.observation["metadata"]["error"] == "the verifier failed (FileNotFoundError)"
    assert result.observation["history"][-1]["reward"] is None
    assert final.reward == 0.05 and final.observation["score"] == 0.05
    assert "Traceback" not in log and "zq-ledger" not in log
