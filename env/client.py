"""A typed OpenEnv client: actions go out as :class:`CodeReviewAction`, observations come back
as :class:`CodeReviewObservation` (metadata included), state as :class:`CodeReviewState`.

It talks to ``/ws``, so every client object is one session with its own environment.
"""

from __future__ import annotations

from typing import Any

from openenv.core.client_types import StepResult
from openenv.core.env_client import EnvClient

from .models import CodeReviewAction, CodeReviewObservation, CodeReviewState


class CodeReviewEnv(
    EnvClient[CodeReviewAction, CodeReviewObservation, CodeReviewState]  # type: ignore[misc]
):
    """Client for the graderlib code-review environment.

    >>> with CodeReviewEnv(base_url="http://127.0.0.1:8000").sync() as env:  # doctest: +SKIP
    ...     first = env.reset(task_id="sqli-user-lookup")
    ...     print(first.observation.snippet)
    ...     result = env.step(CodeReviewAction(kind="finalize"))
    ...     print(result.observation.report["score"])
    """

    def _step_payload(self, action: CodeReviewAction) -> dict[str, Any]:
        payload: dict[str, Any] = action.model_dump(mode="json", exclude_none=True)
        return payload

    def _parse_result(self, payload: dict[str, Any]) -> StepResult[CodeReviewObservation]:
        fields = dict(payload.get("observation", {}))
        fields["metadata"] = payload.get("metadata", fields.get("metadata", {})) or {}
        observation = CodeReviewObservation.model_validate(
            {**fields, "reward": payload.get("reward"), "done": payload.get("done", False)}
        )
        return StepResult(
            observation=observation,
            reward=payload.get("reward"),
            done=bool(payload.get("done", False)),
            metadata=payload.get("metadata"),
        )

    def _parse_state(self, payload: dict[str, Any]) -> CodeReviewState:
        state: CodeReviewState = CodeReviewState.model_validate(payload)
        return state
