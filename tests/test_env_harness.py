"""The server's configuration knobs and its startup, on a real uvicorn server.

The tests check the settings a deployment passes as environment variables
(``MAX_CONCURRENT_ENVS``, ``GRADERLIB_STEP_BUDGET``, ``GRADERLIB_GRADE_ROUTE``), that a broken
corpus stops the server at startup with the task's file and line, and ``make serve``. The
server and the recording clients live in ``tests/env_support.py``.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from openenv import GenericEnvClient

from env import CodeReviewAction, CodeReviewEnv
from tests.env_support import FIXTURE_TASKS, REPO, running_server

pytestmark = pytest.mark.slow


# ----------------------------------------------------------------------------- tests


def test_configuration_from_environment_variables(tmp_path: Path) -> None:
    knobs = {
        "MAX_CONCURRENT_ENVS": "2",
        "GRADERLIB_STEP_BUDGET": "3",
        "GRADERLIB_GRADE_ROUTE": "false",
    }
    with running_server(FIXTURE_TASKS, tmp_path, knobs) as server:
        status, body = server.get("/config")
        assert status == 200
        config = json.loads(body)
        assert (config["max_concurrent_envs"], config["step_budget"]) == (2, 3)
        assert config["grade_route"] is False
        assert config["tasks"] == 3
        assert server.post("/grade", {"task_id": "env-ledger", "findings": []})[0] in (404, 405)

        with (
            CodeReviewEnv(base_url=server.url).sync() as first,
            CodeReviewEnv(base_url=server.url).sync() as second,
        ):
            first.reset(task_id="env-ledger")
            second.reset(task_id="env-clean-cache")
            third = GenericEnvClient(base_url=server.url).sync()
            with pytest.raises(Exception, match="CAPACITY_REACHED"), third:
                third.reset(task_id="env-ledger")

            # Three steps, no finalize: the budget ends the episode, without the finalize bonus.
            results = [first.step(CodeReviewAction(kind="hint")) for _ in range(3)]
            assert [r.done for r in results] == [False, False, True]
            last = results[-1].observation
            assert last.remaining_steps == 0
            assert last.report is not None
            assert last.report["components"]["finalize_bonus"] == 0.0
            assert "step budget of 3 used up" in last.feedback
            with pytest.raises(RuntimeError, match="the episode is over"):
                first.step(CodeReviewAction(kind="finalize"))


def test_broken_corpus_stops_the_server_with_file_and_line(tmp_path: Path) -> None:
    """uvicorn imports ``env.server.app``, which builds the app and loads every task."""
    from env.server.app import build_app
    from graderlib import Settings, TaskLoadError

    broken = tmp_path / "tasks" / "broken"
    shutil.copytree(FIXTURE_TASKS / "env-ledger", broken)
    snippet = broken / "snippet.py"
    snippet.write_text(snippet.read_text().replace("expect: sql-injection", "expect: sqlx-nope"))
    settings = Settings.from_env({"GRADERLIB_TASKS_DIR": str(tmp_path / "tasks")})
    with pytest.raises(
        TaskLoadError, match=r"snippet\.py:15: task 'broken': unknown category 'sqlx-nope'"
    ):
        build_app(settings)


def test_a_bad_setting_stops_the_app_naming_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    """What uvicorn meets importing ``env.server.app`` with a bad variable (in-process: fast)."""
    from env.server.app import build_app
    from graderlib import SettingsError, get_settings

    monkeypatch.setenv("GRADERLIB_STEP_BUDGET", "0")
    get_settings.cache_clear()
    expected = r"GRADERLIB_STEP_BUDGET='0'.*greater than or equal"
    try:
        with pytest.raises(SettingsError, match=expected):
            build_app()
    finally:
        get_settings.cache_clear()  # the next reader sees the restored environment


def test_make_serve_honours_host_port_workers_and_session_limit() -> None:
    def dry_run(arguments: list[str], environ: dict[str, str]) -> str:
        done = subprocess.run(
            ["make", "-n", "serve", *arguments],
            cwd=REPO,
            env={**os.environ, **environ},
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return " ".join(done.stdout.replace("\\\n", " ").split())

    default = dry_run([], {})
    assert "MAX_CONCURRENT_ENVS=64 .venv/bin/uvicorn env.server.app:app" in default
    assert "--host 127.0.0.1 --port 8000 --workers 1" in default
    custom = dry_run(["PORT=9123", "WORKERS=3"], {"HOST": "0.0.0.0", "MAX_CONCURRENT_ENVS": "7"})
    assert "MAX_CONCURRENT_ENVS=7 .venv/bin/uvicorn env.server.app:app" in custom
    assert "--host 0.0.0.0 --port 9123 --workers 3" in custom
