"""Every environment variable graderlib and its environment server read, read once.

One frozen :class:`Settings` holds them all, so a setting has one name, one default, one
validation and one error message, and the README's table can be checked against it. Code
takes the settings it was given (``build_app(settings)``) or the process's own,
:func:`get_settings`, read from ``os.environ`` on first use and then kept: a value that
changed mid-run would make two sessions of one server disagree (a task's public id, say).

An unset or empty variable means the default. A bad value is a :class:`SettingsError` naming
the variable and what it accepts, raised when the settings are read (for the server: at
startup), never a traceback from deep inside a request.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from functools import cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError

# Field name -> environment variable. Order is the README table's.
VARIABLES: dict[str, str] = {
    "tasks_dir": "GRADERLIB_TASKS_DIR",
    "step_budget": "GRADERLIB_STEP_BUDGET",
    "max_concurrent_envs": "MAX_CONCURRENT_ENVS",
    "session_idle_s": "GRADERLIB_SESSION_IDLE_S",
    "web_interface": "ENABLE_WEB_INTERFACE",
    "grade_route": "GRADERLIB_GRADE_ROUTE",
    "bandit_helper": "GRADERLIB_BANDIT_HELPER",
    "task_id_key": "GRADERLIB_TASK_ID_KEY",
    "host": "HOST",
    "port": "PORT",
    "workers": "WORKERS",
    "env_base_url": "ENV_BASE_URL",
    "api_base_url": "API_BASE_URL",
    "model_name": "MODEL_NAME",
    "openai_api_key": "OPENAI_API_KEY",
}


class SettingsError(ValueError):
    """An environment variable holds a value its setting does not accept."""


class Settings(BaseModel):
    """The deployment's settings; the defaults are what an unset variable means."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    tasks_dir: Path | None = Field(
        default=None, description="the task corpus the server offers (default: tasks/)"
    )
    step_budget: int = Field(default=16, ge=1, le=200, description="steps per episode")
    max_concurrent_envs: int = Field(
        default=64, ge=1, description="WebSocket sessions at once, each its own environment"
    )
    session_idle_s: float = Field(
        default=300,
        gt=0,
        allow_inf_nan=False,
        description="seconds a /ws session may go without a reset or step before it is closed",
    )
    web_interface: bool = Field(default=False, description="serve the review page at /web/")
    grade_route: bool = Field(
        default=True, description="serve POST /grade (a free oracle: off where agents train)"
    )
    bandit_helper: bool = Field(
        default=True, description="run bandit in a helper process started with the server"
    )
    task_id_key: SecretStr | None = Field(
        default=None, description="key public task ids with an HMAC (unset: plain SHA-256)"
    )
    host: str = Field(default="127.0.0.1", description="python -m env.server.app: address")
    port: int = Field(default=8000, ge=1, le=65535, description="python -m env.server.app: port")
    workers: int = Field(default=1, ge=1, description="python -m env.server.app: processes")
    env_base_url: str | None = Field(
        default=None,
        description="graderlib infer and CodeReviewToolEnv (TRL) play over /ws on this server "
        "(unset: in process)",
    )
    api_base_url: str | None = Field(
        default=None, description="the llm agent's OpenAI-compatible server (unset: OpenAI's)"
    )
    model_name: str | None = Field(default=None, description="the llm agent's model")
    openai_api_key: SecretStr | None = Field(
        default=None, description="the llm agent's key (never written to a results file)"
    )

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings ``environ`` (default: ``os.environ``) describes."""
        source = os.environ if environ is None else environ
        given = {
            field: raw.strip()
            for field, variable in VARIABLES.items()
            if (raw := source.get(variable)) is not None and raw.strip()
        }
        try:
            return cls.model_validate(given)
        except ValidationError as error:
            problems = []
            for item in error.errors():
                field = str(item["loc"][0])
                problems.append(f"{VARIABLES[field]}={given[field]!r}: {item['msg']}")
            raise SettingsError("; ".join(problems)) from None


@cache
def get_settings() -> Settings:
    """This process's settings, read from its environment once, on first use."""
    return Settings.from_env()
