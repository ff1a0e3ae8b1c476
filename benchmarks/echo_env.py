"""The anchor for ``bench_server``: a do-nothing OpenEnv environment served the same way.

It takes the same action (``CodeReviewAction``, so pydantic validates the same frames),
answers every step with a constant reward and a bare observation, and ends an episode after
the same step budget. Whatever ``bench_server`` measures on it is OpenEnv, uvicorn and the
WebSocket protocol; the ratio of the real server to it is what graderlib adds.

Serve it with ``uvicorn benchmarks.echo_env:app``. ``benchmarks.echo_env:app_inline`` is the
same environment with ``reset_async``/``step_async`` overridden, so that OpenEnv runs its steps
on the event loop instead of handing each to a thread, as the real server does for every step
but a patch: the stricter floor, reported beside the plain one.
"""

from __future__ import annotations

import uuid
from typing import Any

from openenv.core.env_server.http_server import create_fastapi_app
from openenv.core.env_server.interfaces import Environment
from openenv.core.env_server.types import Observation, State

from env.models import CodeReviewAction
from graderlib import get_settings


class EchoObservation(Observation):  # type: ignore[misc]
    """Reward, done and metadata only."""


class EchoEnvironment(Environment):  # type: ignore[misc]
    SUPPORTS_CONCURRENT_SESSIONS = True

    def __init__(self) -> None:
        super().__init__()
        self._state = State(episode_id=None, step_count=0)

    def reset(
        self, seed: int | None = None, episode_id: str | None = None, **kwargs: Any
    ) -> EchoObservation:
        self._state = State(episode_id=episode_id or str(uuid.uuid4()), step_count=0)
        return EchoObservation(done=False, reward=None)

    def step(
        self, action: CodeReviewAction, timeout_s: float | None = None, **kwargs: Any
    ) -> EchoObservation:
        self._state.step_count += 1
        done = self._state.step_count >= get_settings().step_budget
        return EchoObservation(done=done, reward=0.5)

    @property
    def state(self) -> State:
        return self._state


class InlineEchoEnvironment(EchoEnvironment):
    """The same, stepped on the event loop (OpenEnv awaits an overridden ``step_async``)."""

    async def reset_async(
        self, seed: int | None = None, episode_id: str | None = None, **kwargs: Any
    ) -> EchoObservation:
        return self.reset(seed=seed, episode_id=episode_id, **kwargs)

    async def step_async(
        self, action: CodeReviewAction, timeout_s: float | None = None, **kwargs: Any
    ) -> EchoObservation:
        return self.step(action, timeout_s, **kwargs)


app = create_fastapi_app(
    EchoEnvironment, CodeReviewAction, EchoObservation, max_concurrent_envs=64, env_name="echo"
)
app_inline = create_fastapi_app(
    InlineEchoEnvironment,
    CodeReviewAction,
    EchoObservation,
    max_concurrent_envs=64,
    env_name="echo",
)
