"""Where episodes run: one protocol, two transports.

The episode runner needs only ``reset``, ``step`` and ``aclose`` on a session, with
observations as plain dicts in the environment's wire format. :class:`WebSocketSessions`
opens each session as one ``/ws`` connection through OpenEnv's own ``GenericEnvClient`` (the
same client any OpenEnv user has). The in-process transport lives with the environment's
server, in ``env/server/runner.py``: graderlib does not import the environment (data flows
env -> graderlib), so the CLI names it by reference (``env.server.runner:InProcessSessions``)
and loads it only when a run asks for it, as uvicorn loads ``env.server.app:app``.
"""

from __future__ import annotations

import contextlib
import pkgutil
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from openenv import GenericEnvClient

    from graderlib.task import Task


@dataclass(frozen=True)
class StepOutcome:
    """What a reset or a step returned: the observation (a dict), the reward and done."""

    observation: dict[str, Any]
    reward: float | None
    done: bool


class ActionRejected(Exception):
    """The environment refused one action (a validation or episode error); the session lives.

    Its message is the environment's, which never carries ground truth.
    """


class SessionError(Exception):
    """The session itself failed: unreachable, at capacity, closed. Safe to show."""


class EpisodeSession(Protocol):
    """One environment session; a session may play many episodes one after another."""

    async def reset(self, **kwargs: Any) -> StepOutcome: ...

    async def step(self, action: dict[str, Any]) -> StepOutcome: ...

    async def aclose(self) -> None: ...


class Sessions(Protocol):
    """Opens sessions of one environment; ``where`` says which, for the results file."""

    where: str

    async def open(self) -> EpisodeSession: ...


class RunnerError(ValueError):
    """The in-process environment cannot be loaded, or refused the tasks; the message says which."""


def load_in_process_sessions(runner: str, app_dir: str, tasks: Sequence[Task] | None) -> Sessions:
    """The in-process sessions that ``runner`` (``module:Factory``) makes over ``tasks``.

    ``app_dir`` goes on ``sys.path`` first, as uvicorn does for ``env.server.app:app``. Both the
    CLI and an engine's worker (a Ray task on another process or machine) load sessions here,
    so a worker finds the environment exactly as the command line did.
    """
    directory = str(Path(app_dir).resolve())
    if directory not in sys.path:
        sys.path.insert(0, directory)
    try:
        factory = pkgutil.resolve_name(runner)
    except (ImportError, AttributeError, ValueError) as error:
        raise RunnerError(
            f"cannot load the in-process environment {runner!r} ({error}); run from the "
            "repository root (or pass --app-dir), or use --env-url / ENV_BASE_URL"
        ) from None
    try:
        sessions: Sessions = factory(tasks=tasks)
    except ValueError as error:  # e.g. two tasks whose ids would make a lookup ambiguous
        raise RunnerError(f"the in-process environment refused the tasks: {error}") from None
    return sessions


_SERVER_ERROR = re.compile(r"Server error: (?P<message>.*) \(code: (?P<code>[A-Z_]+)\)$", re.DOTALL)
_ACTION_CODES = {"VALIDATION_ERROR", "EXECUTION_ERROR"}


class WebSocketSession:
    """One ``/ws`` connection, through OpenEnv's ``GenericEnvClient``."""

    def __init__(self, client: GenericEnvClient) -> None:
        self._client = client

    async def reset(self, **kwargs: Any) -> StepOutcome:
        try:
            result = await self._client.reset(**kwargs)
        except Exception as error:
            raise _translate(error, "reset") from None
        return _outcome(result)

    async def step(self, action: dict[str, Any]) -> StepOutcome:
        try:
            result = await self._client.step(action)
        except Exception as error:
            raise _translate(error, "step") from None
        return _outcome(result)

    async def aclose(self) -> None:
        with contextlib.suppress(Exception):  # a broken connection must not hide the real error
            await self._client.close()


class WebSocketSessions:
    """Sessions of the environment server at ``base_url`` (``http://`` or ``ws://``)."""

    def __init__(self, base_url: str, message_timeout_s: float = 300.0) -> None:
        self.where = base_url
        self._base_url = base_url
        self._message_timeout_s = message_timeout_s

    async def open(self) -> EpisodeSession:
        from openenv import GenericEnvClient

        client = GenericEnvClient(
            base_url=self._base_url, message_timeout_s=self._message_timeout_s
        )
        try:
            await client.__aenter__()
        except Exception as error:
            raise SessionError(
                f"cannot open a session at {self._base_url}: {_brief(error)}"
            ) from None
        return WebSocketSession(client)


def _outcome(result: Any) -> StepOutcome:
    observation = dict(result.observation or {})
    reward = result.reward
    return StepOutcome(
        observation=observation,
        reward=None if reward is None else float(reward),
        done=bool(result.done),
    )


def _translate(error: Exception, what: str) -> Exception:
    """An OpenEnv client error as :class:`ActionRejected` (the session lives) or
    :class:`SessionError` (it does not)."""
    match = _SERVER_ERROR.match(str(error))
    if match and match.group("code") in _ACTION_CODES:
        return ActionRejected(_brief(match.group("message")))
    if match:
        return SessionError(f"{what} failed: {match.group('code')}: {_brief(match['message'])}")
    return SessionError(f"{what} failed: {type(error).__name__}: {_brief(error)}")


def _brief(error: object) -> str:
    return " ".join(str(error).split())[:500]
