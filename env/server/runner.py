"""Episodes in this process, without a server: the in-process transport of ``graderlib infer``.

It drives the very :class:`CodeReviewEnvironment` the server runs, one instance per session,
and hands back observations serialised exactly as the server sends them over ``/ws``
(OpenEnv's ``serialize_observation``), so a run gives the same observations, rewards and
scores in process as against a server on the same tasks.

graderlib must not import the environment, so this module lives here (with the server, not
in the installable client) and ``graderlib infer`` loads it by reference
(``env.server.runner:InProcessSessions``) when no ``--env-url`` is given.

Steps go through the environment's ``step_async``, as on the server: only a ``patch`` step
runs in a worker thread (it waits seconds for the sandbox, and the event loop keeps the other
sessions and their model calls moving meanwhile); every other step is about a millisecond of
grading, run inline with no thread hand-off (handing each step to a thread made an episode
several times slower, as ``benchmarks/bench_infer.py`` measured).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openenv.core.env_server.serialization import serialize_observation
from pydantic import ValidationError

from env.models import CodeReviewAction, CodeReviewObservation
from env.server.catalog import Catalog, TaskSelectionError, load_catalog
from env.server.environment import CodeReviewEnvironment
from graderlib import ActionRejected, EpisodeError, StepOutcome, Task


class InProcessSession:
    """One environment instance; a session may play many episodes one after another."""

    def __init__(self, environment: CodeReviewEnvironment) -> None:
        self._environment = environment

    async def reset(self, **kwargs: Any) -> StepOutcome:
        try:
            observation = self._environment.reset(**kwargs)
        except (TaskSelectionError, ValueError) as error:
            raise ActionRejected(str(error)) from None
        return _outcome(observation)

    async def step(self, action: dict[str, Any]) -> StepOutcome:
        try:
            typed = CodeReviewAction.model_validate(action)
        except ValidationError as error:
            problems = "; ".join(
                f"{'.'.join(str(p) for p in e['loc']) or 'action'}: {e['msg']}"
                for e in error.errors()[:5]
            )
            raise ActionRejected(f"invalid action: {problems}") from None
        try:
            observation = await self._environment.step_async(typed)
        except EpisodeError as error:
            raise ActionRejected(str(error)) from None
        return _outcome(observation)

    async def aclose(self) -> None:
        self._environment.close()


class InProcessSessions:
    """Sessions over ``tasks`` (already loaded), else the tasks of ``tasks_dir`` (default: the
    server's, ``GRADERLIB_TASKS_DIR`` or the repository's ``tasks/``); each session is a fresh
    environment, and all of them share one read-only catalog."""

    where = "in-process"

    def __init__(
        self,
        tasks: Sequence[Task] | None = None,
        tasks_dir: Path | None = None,
        step_budget: int | None = None,
    ) -> None:
        self._catalog = Catalog.of(tuple(tasks)) if tasks is not None else load_catalog(tasks_dir)
        self._step_budget = step_budget

    async def open(self) -> InProcessSession:
        environment = CodeReviewEnvironment(catalog=self._catalog, step_budget=self._step_budget)
        return InProcessSession(environment)


def _outcome(observation: CodeReviewObservation) -> StepOutcome:
    payload = serialize_observation(observation)
    reward = payload.get("reward")
    return StepOutcome(
        observation=dict(payload["observation"]),
        reward=None if reward is None else float(reward),
        done=bool(payload.get("done", False)),
    )
