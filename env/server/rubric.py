"""The environment's reward as an OpenEnv Rubric tree (RFC 004).

::

    CodeReviewRubric       reward of a step = change of the graderlib episode score
    ├── recall             localisation x category: what the matched findings earn
    ├── precision          false positives, duplicates, ok look-alikes, vague messages (<= 0)
    ├── hints              hints taken (<= 0)
    ├── patch              a resolved patch; it also holds the patch verifier (sync or async)
    └── finalize           finishing with ``finalize``

The score is graderlib's, computed once per step by :func:`graderlib.grade` with the episode's
progress. The tree does not restate the formula; it *attributes* the score: each child's
``last_score`` is the points its term contributes to the episode score right now, after
graderlib's clamps, so the children add up to the episode score (to rounding). The review part
is clamped at 0 before the patch and finalize shares are added, so ``precision`` is what the
penalties actually took off the recall; the hint penalty cannot take the score below 0, so
``hints`` is what it actually took. A trainer reading ``named_rubrics()`` therefore sees where
every point of the reward came from, and the same numbers go to the agent in
``observation.metadata["rubric_scores"]`` (they are its own score's parts, no ground truth).

The reward is the change of the score since the previous step, so an episode's rewards sum to
its final score. A patch step whose verification reached no verdict (the sandbox or a detector
failed, not the patch) is not scored: the tree returns ``None``, never a silent 0 (OpenEnv
issue #1025), and the environment puts the error beside it in the observation's metadata.

One tree serves one episode at a time: the environment builds one per session and, on
reset, binds the new episode to it (binding resets the tree).
"""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from openenv.core.rubrics import Rubric

from graderlib import Episode, PatchOutcome, RewardPolicy, Task, verify_patch_outcome

TERMS = ("recall", "precision", "hints", "patch", "finalize")
REWARD_RULE = (
    "per-step reward = change of graderlib's episode score (grade(..., episode=progress)); "
    "the rewards of an episode sum to its final score in [0, 1]; a step whose patch "
    "verification reached no verdict has reward None and an error in observation.metadata"
)
TERM_MEANINGS = {
    "recall": "sum of weight x category quality x location quality over matched issues, "
    "times the review share",
    "precision": "false-positive, ok-violation, duplicate and vague penalties, as far as they "
    "lowered the review (it is clamped at 0), times the review share",
    "hints": "hint penalty, as far as it lowered the score (which is clamped at 0)",
    "patch": "patch bonus once a patch resolved the task",
    "finalize": "finalize bonus once the episode was finalized",
}

AsyncPatchVerifier = Callable[[Task, str], Awaitable[PatchOutcome]]


class TermRubric(Rubric):  # type: ignore[misc]  # openenv ships no type hints
    """One term of the episode score, read from the attribution its parent computed."""

    def __init__(self, name: str, points: Callable[[str], float | None]) -> None:
        super().__init__()
        self.name = name
        self._points = points

    def forward(self, action: Any, observation: Any) -> float | None:
        return self._points(self.name)


class PatchRubric(TermRubric):
    """The patch term, and the verifier that decides it.

    ``verify`` is what the episode calls on a patch action. ``verify_async`` serves callers on
    an event loop: it awaits an async verifier, or runs a sync one in a worker thread, since
    verification runs the detectors and a sandboxed test subprocess (tens to hundreds of ms).
    """

    def __init__(
        self,
        points: Callable[[str], float | None],
        verifier: Callable[[Task, str], PatchOutcome] | AsyncPatchVerifier = verify_patch_outcome,
    ) -> None:
        super().__init__("patch", points)
        self._verifier = verifier

    def verify(self, task: Task, patch: str) -> PatchOutcome:
        if inspect.iscoroutinefunction(self._verifier):
            raise TypeError("this patch verifier is async: call verify_async()")
        outcome = self._verifier(task, patch)
        assert isinstance(outcome, PatchOutcome)
        return outcome

    async def verify_async(self, task: Task, patch: str) -> PatchOutcome:
        if inspect.iscoroutinefunction(self._verifier):
            outcome = await self._verifier(task, patch)
        else:
            outcome = await asyncio.to_thread(self._verifier, task, patch)
        assert isinstance(outcome, PatchOutcome)
        return outcome


@dataclass(slots=True)
class _Bound:
    """The episode a tree scores and what it keeps between steps.

    A plain object, so that a step's updates skip ``Rubric.__setattr__``; and the children
    read their points from it (:meth:`term`), not through a method of their parent, so the
    tree holds no reference cycle: a closed session's tree and episode are freed at once, not
    left for a full collection of the heap (which, with hundreds of such sessions, was the
    p99 of a step under load).
    """

    episode: Episode | None = None
    previous_score: float = 0.0
    points: dict[str, float] = field(default_factory=dict)

    def term(self, name: str) -> float | None:
        return self.points.get(name)

    def clear(self) -> None:
        self.episode = None
        self.previous_score = 0.0
        self.points = {}


class CodeReviewRubric(Rubric):  # type: ignore[misc]
    """The reward of the code-review environment; see the module docstring for the tree."""

    def __init__(
        self,
        policy: RewardPolicy | None = None,
        verifier: Callable[[Task, str], PatchOutcome] | AsyncPatchVerifier = verify_patch_outcome,
    ) -> None:
        super().__init__()
        self.policy = policy or RewardPolicy()
        self._live = live = _Bound()
        self.recall = TermRubric("recall", live.term)
        self.precision = TermRubric("precision", live.term)
        self.hints = TermRubric("hints", live.term)
        self.patch = PatchRubric(live.term, verifier)
        self.finalize = TermRubric("finalize", live.term)
        # The tree is fixed once built; every step scores each term and reports it by name.
        self._named_terms: tuple[tuple[str, TermRubric], ...] = tuple(self.named_rubrics())

    # ------------------------------------------------------------------ the episode

    def bind(self, episode: Episode) -> None:
        """Score ``episode`` from now on (the environment calls this on reset)."""
        self.reset()
        self._live.episode = episode
        self._live.previous_score = episode.score

    def reset(self) -> None:
        self._live.clear()
        self.last_score = None
        for child in self.children():
            child.last_score = None

    # ------------------------------------------------------------------ the reward

    def forward(self, action: Any, observation: Any) -> float | None:
        """The reward of the step the bound episode just took; ``None`` when unscored."""
        live = self._live
        episode = live.episode
        if episode is None:
            raise RuntimeError("no episode is bound to the rubric: call bind() after reset")
        live.points = attribute(episode, self.policy)
        for _, child in self._named_terms:
            if child._forward_pre_hooks or child._forward_hooks:
                child(action, observation)
            else:
                # What Rubric.__call__ does for a sync forward with no hooks, without its
                # per-call introspection (a tenth of a report step, for five children), and
                # setting the score as Rubric.__init__ does (its __setattr__ looks for child
                # rubrics in every value, through an ABC instance check).
                object.__setattr__(child, "last_score", child.forward(action, observation))
        last = episode.history[-1] if episode.history else None
        if last is not None and last.error is not None:
            return None
        reward = round(episode.score - live.previous_score, 6)
        live.previous_score = episode.score
        return reward

    def scores(self) -> dict[str, float | None]:
        """Each term's ``last_score`` by name: what goes to ``metadata["rubric_scores"]``."""
        return {name: child.last_score for name, child in self._named_terms}

    # ------------------------------------------------------------------ checkpointing

    def state_dict(self) -> dict[str, Any]:
        """The reward policy and how the reward is made from it (OpenEnv's introspection)."""
        return {
            "reward": REWARD_RULE,
            "terms": dict(TERM_MEANINGS),
            "policy": self.policy.model_dump(mode="json"),
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Adopt a checkpoint's policy; it applies from the next episode on."""
        self.policy = RewardPolicy.model_validate(state["policy"])


def attribute(episode: Episode, policy: RewardPolicy) -> dict[str, float]:
    """The episode score split into its terms, in score units; they sum to ``episode.score``.

    The review's weight comes from the policy (``RewardPolicy.review_share``), where the
    episode score is computed; ``tests/test_env_rubric.py`` checks the sum against graderlib's
    score on random episodes, so a change there cannot go unseen.
    """
    summary = episode.summary
    parts = summary.components
    patch, finalize = parts.get("patch_bonus", 0.0), parts.get("finalize_bonus", 0.0)
    review_share = policy.review_share(bool(episode.task.issues))
    recall = parts["recall"] * review_share
    precision = (summary.review_score - parts["recall"]) * review_share
    before_hints = summary.review_score * review_share + patch + finalize
    return {
        "recall": round(recall, 6),
        "precision": round(precision, 6),
        "hints": round(summary.score - before_hints, 6),
        "patch": round(patch, 6),
        "finalize": round(finalize, 6),
    }
