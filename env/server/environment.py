"""The OpenEnv adapter: ``reset``/``step``/``state`` over a :class:`graderlib.Episode`.

One instance serves one WebSocket session (the server builds it from the class), so all
episode state lives on ``self`` and nothing is shared between sessions except the read-only
task catalog. Errors raised here reach the client as an ``EXECUTION_ERROR`` frame and the
session stays open; their messages never carry ground truth.

The reward is OpenEnv's way: ``self.rubric`` (a :class:`CodeReviewRubric` tree, see
``rubric.py``) computes it in ``step`` through ``_apply_rubric``, and its terms go to
``observation.metadata["rubric_scores"]``.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from openenv.core.env_server.interfaces import Environment
from openenv.core.env_server.types import EnvironmentMetadata

from env.models import CodeReviewAction, CodeReviewObservation, CodeReviewState, HistoryEntry
from env.server.catalog import SPLITS, Catalog, load_catalog, public_summary
from env.server.rubric import CodeReviewRubric
from graderlib import (
    Episode,
    EpisodeError,
    Finding,
    RewardPolicy,
    StepRecord,
    default_taxonomy,
    get_settings,
)

ENV_NAME = "code_review"
HISTORY_IN_OBSERVATION = 8  # the last steps an observation repeats; state() has them all


class CodeReviewEnvironment(
    Environment[CodeReviewAction, CodeReviewObservation, CodeReviewState]  # type: ignore[misc]
):
    """Review a Python snippet step by step; graderlib grades every step."""

    SUPPORTS_CONCURRENT_SESSIONS = True

    def __init__(
        self,
        catalog: Catalog | None = None,
        policy: RewardPolicy | None = None,
        step_budget: int | None = None,
    ) -> None:
        tree = CodeReviewRubric(policy or RewardPolicy())
        super().__init__(rubric=tree)
        self._tree = tree
        self._catalog = catalog
        self._step_budget = step_budget or get_settings().step_budget
        self._episode: Episode | None = None
        self._state = CodeReviewState()
        self._lean = False
        self._shown: dict[str, Any] = {}  # the task's fields of every observation, built once
        self._history: list[HistoryEntry] = []  # one entry per step, built once

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            self._catalog = load_catalog()
        return self._catalog

    # ------------------------------------------------------------------- OpenEnv API

    def reset(
        self,
        seed: int | None = None,
        episode_id: str | None = None,
        task_id: str | None = None,
        difficulty: str | None = None,
        split: str | None = None,
        index: int | None = None,
        lean: bool | None = None,
        **kwargs: Any,
    ) -> CodeReviewObservation:
        """Start an episode on ``task_id``, else on a task drawn from the filters with ``seed``.

        ``task_id`` may be the public id or the author id (a trainer holding the corpus knows
        those already); the episode only ever shows the public id.

        ``lean=True``: step observations leave out what the reset observation already gave
        (description, snippet, vocabulary) and carry only the step's own history entry. The
        default stays the full observation, because simple agents rebuild their prompt from
        the latest one.
        """
        if kwargs:
            raise ValueError(
                f"unknown reset argument(s): {', '.join(sorted(kwargs))[:200]} "
                "(known: task_id, difficulty, split, index, seed, episode_id, lean)"
            )
        _check_types(task_id=task_id, difficulty=difficulty, split=split, episode_id=episode_id)
        if index is not None and (isinstance(index, bool) or not isinstance(index, int)):
            raise ValueError("index must be an integer")
        if seed is not None and (isinstance(seed, bool) or not isinstance(seed, int)):
            raise ValueError("seed must be an integer")
        if lean is not None and not isinstance(lean, bool):
            raise ValueError("lean must be true or false")
        task = self.catalog.select(
            task_id=task_id, difficulty=difficulty, split=split, index=index, seed=seed
        )
        self._episode = Episode(
            task=task,
            policy=self._tree.policy,
            step_budget=self._step_budget,
            verify_patch=self._tree.patch.verify,
        )
        self._tree.bind(self._episode)  # resets the tree too (what _reset_rubric() would do)
        public_id = self._episode.public_id
        self._state = CodeReviewState(
            episode_id=episode_id or str(uuid.uuid4()),
            step_count=0,
            task_id=public_id,
            difficulty=task.difficulty,
            step_budget=self._step_budget,
        )
        self._lean = bool(lean)
        self._history = []
        self._shown = {
            "task_id": public_id,
            "difficulty": task.difficulty,
            "description": task.description,
            "snippet": task.numbered_source(),
            "line_count": task.line_count,
            "categories": list(default_taxonomy().ids),
        }
        return self._observation(
            reward=None,
            feedback=(f"review task {public_id}: report findings, ask for a hint, patch, finalize"),
        )

    def step(
        self, action: CodeReviewAction, timeout_s: float | None = None, **kwargs: Any
    ) -> CodeReviewObservation:
        episode = self._episode
        if episode is None:
            raise EpisodeError("no episode yet: call reset() first")
        if action.kind == "report":
            findings = [
                Finding.model_validate(f, from_attributes=True) for f in action.findings or []
            ]
            record = episode.report_findings(findings)
        elif action.kind == "hint":
            record = episode.hint()
        elif action.kind == "patch":
            record = episode.patch(action.patch or "")
        else:
            record = episode.finalize()
        self._history.append(_history_entry(record))
        observation = self._observation(reward=None, feedback=record.verdict, step=True)
        observation.reward = self._apply_rubric(action, observation)
        observation.metadata["rubric_scores"] = self._tree.scores()
        if record.error is not None:
            observation.metadata["error"] = record.error
        return observation

    async def reset_async(
        self, seed: int | None = None, episode_id: str | None = None, **kwargs: Any
    ) -> CodeReviewObservation:
        """:meth:`reset`, inline on the event loop (see :meth:`step_async`)."""
        return self.reset(seed=seed, episode_id=episode_id, **kwargs)

    async def step_async(
        self, action: CodeReviewAction, timeout_s: float | None = None, **kwargs: Any
    ) -> CodeReviewObservation:
        """:meth:`step` as the server calls it: inline, except a patch, in a worker thread.

        OpenEnv hands a synchronous ``step`` to a thread per call; it awaits ``step_async``
        on the event loop when an environment overrides it. A report, hint or finalize step
        is a fraction of a millisecond of grading (an episode takes at most
        ``MAX_FINDINGS_PER_EPISODE`` findings, so a step stays bounded) and the GIL would
        serialise it anyway; the thread hand-off cost more CPU than the step itself, and
        under load the worker threads fought the event loop for the GIL. A patch waits
        seconds for the sandbox, so it runs in a thread and the loop serves other sessions
        meanwhile. One session's steps never overlap: its frames are handled one by one.
        """
        if action.kind == "patch":
            return await asyncio.to_thread(self.step, action, timeout_s, **kwargs)
        return self.step(action, timeout_s, **kwargs)

    def close(self) -> None:
        """Let go of the episode when the session ends (OpenEnv calls this).

        The episode and the rubric tree refer to each other (the patch verifier is the tree's),
        so without this a closed session's findings and verdicts would wait for a full
        collection of the heap.
        """
        self._episode = None
        self._history = []
        self._tree.reset()

    @property
    def state(self) -> CodeReviewState:
        """The episode's bookkeeping, brought up to date when asked (not on every step)."""
        if self._episode is not None:
            self._sync_state()
        return self._state

    def get_metadata(self) -> EnvironmentMetadata:
        return EnvironmentMetadata(
            name=ENV_NAME,
            description=(
                "Code review graded by graderlib: find the bugs and vulnerabilities in a Python "
                "snippet, report them as findings, optionally patch, and finalize."
            ),
            version="0.1.0",
            author="graderlib",
        )

    # ------------------------------------------------- OpenEnv task API (discovery only)

    def list_splits(self) -> list[str]:
        return list(SPLITS)

    def list_tasks(self, split: str) -> list[dict[str, Any]]:
        return [public_summary(t) for t in self.catalog.filtered(split=split)]

    def num_tasks(self, split: str) -> int:
        return len(self.catalog.filtered(split=split))

    def get_task(self, split: str, index: int) -> dict[str, Any]:
        tasks = self.catalog.filtered(split=split)
        if not 0 <= index < len(tasks):
            raise IndexError(index)
        return public_summary(tasks[index])

    def get_task_range(
        self, split: str, start: int | None = None, stop: int | None = None
    ) -> list[dict[str, Any]]:
        """``tasks[start:stop]`` of the split, as Python slices them (OpenEnv's contract)."""
        return [public_summary(t) for t in self.catalog.filtered(split=split)[start:stop]]

    # ----------------------------------------------------------------------- helpers

    def _sync_state(self) -> None:
        episode = self._episode
        assert episode is not None
        self._state.step_count = episode.steps_used
        self._state.score = episode.score
        self._state.done = episode.done
        self._state.findings_reported = len(episode.findings)
        self._state.hints_used = episode.hints_used
        self._state.patch_resolved = episode.patch_resolved
        self._state.finalized = episode.finalized
        if len(self._state.history) != len(self._history):
            self._state.history = list(self._history)

    def _observation(
        self, *, reward: float | None, feedback: str, step: bool = False
    ) -> CodeReviewObservation:
        episode = self._episode
        assert episode is not None
        # Counts, open severities and matched categories read the same in the redacted report
        # (redaction drops missed issues and rewrites reasons); that is built only at the end.
        summary = episode.summary
        shown = self._shown
        lean = step and self._lean
        recent = self._history[-1 if lean else -HISTORY_IN_OBSERVATION :]
        if lean:
            shown = {k: shown[k] for k in ("task_id", "difficulty", "line_count")}
        return CodeReviewObservation(
            done=episode.done,
            reward=reward,
            metadata={"episode_id": self._state.episode_id, "env": ENV_NAME},
            **shown,
            step_budget=episode.step_budget,
            steps_used=episode.steps_used,
            remaining_steps=episode.remaining_steps,
            score=episode.score,
            issues_found=summary.issues_found,
            issues_total=summary.issues_total,
            open_severities={s.value: n for s, n in summary.open_by_severity.items()},
            matched_categories=list(summary.matched_categories),
            hints=list(episode.hints),
            history=recent,
            feedback=feedback,
            patch_resolved=episode.patch_resolved,
            patch_summary=episode.patch_summary,
            report=episode.public_report().model_dump(mode="json") if episode.done else None,
        )


def _history_entry(record: StepRecord) -> HistoryEntry:
    return HistoryEntry(
        step=record.step,
        kind=record.kind,
        verdict=record.verdict,
        reward=record.reward,
        score=record.score,
        findings=record.findings,
        matched=record.matched,
    )


def _check_types(**values: object) -> None:
    for name, value in values.items():
        if value is not None and not isinstance(value, str):
            raise ValueError(f"{name} must be a string, not {type(value).__name__}")
