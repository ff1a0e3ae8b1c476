"""A real uvicorn server on a free loopback port, and recording OpenEnv clients.

The other environment tests import ``running_server`` and the recording clients from here.
The tests in this file check the server's configuration knobs (``MAX_CONCURRENT_ENVS``,
``GRADERLIB_STEP_BUDGET``, ``GRADERLIB_GRADE_ROUTE``) and that a broken corpus stops the
server at startup with the task's file and line.
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from openenv import GenericEnvClient

from env import CodeReviewAction, CodeReviewEnv

REPO = Path(__file__).resolve().parents[1]
FIXTURE_TASKS = REPO / "tests" / "fixtures" / "env_tasks"
CORPUS = REPO / "tasks"

pytestmark = pytest.mark.slow


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    url: str
    process: subprocess.Popen[bytes]
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def get(self, path: str) -> tuple[int, bytes]:
        return http(self.url + path)

    def post(self, path: str, body: Any) -> tuple[int, bytes]:
        data = body if isinstance(body, bytes) else json.dumps(body).encode()
        return http(self.url + path, data=data)


def http(url: str, data: bytes | None = None) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return int(response.status), bytes(response.read())
    except urllib.error.HTTPError as error:
        return int(error.code), bytes(error.read())


@contextmanager
def running_server(
    tasks_dir: Path, log_dir: Path, extra_env: dict[str, str] | None = None
) -> Iterator[Server]:
    """``uvicorn env.server.app:app`` in a subprocess, ready when ``/health`` answers."""
    port = free_port()
    log_path = log_dir / f"server-{port}.log"
    environ = {
        **os.environ,
        "GRADERLIB_TASKS_DIR": str(tasks_dir),
        "MAX_CONCURRENT_ENVS": "64",
        "PYTHONUNBUFFERED": "1",
        **(extra_env or {}),
    }
    command = [
        sys.executable, "-m", "uvicorn", "env.server.app:app",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "info",
    ]  # fmt: skip
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, cwd=REPO, env=environ, stdout=log, stderr=log)
    server = Server(f"http://127.0.0.1:{port}", process, log_path)
    try:
        deadline = time.monotonic() + 60
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"server exited with {process.returncode}:\n{server.log()}")
            try:
                if server.get("/health")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"server did not become healthy:\n{server.log()}")
            time.sleep(0.1)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def combined_tasks(target: Path) -> Path:
    """The corpus (``tasks/``) plus the environment's fixture tasks, copied under ``target``."""
    if CORPUS.is_dir():
        shutil.copytree(CORPUS, target / "corpus")
    shutil.copytree(FIXTURE_TASKS, target / "fixtures")
    return target


class RecordingMixin:
    """Keeps every frame the server sends, exactly as received, before it is parsed."""

    frames: list[str]

    async def _receive(self) -> dict[str, Any]:
        ws = self._ws  # type: ignore[attr-defined]
        assert ws is not None
        raw = await asyncio.wait_for(ws.recv(), timeout=self._message_timeout)  # type: ignore[attr-defined]
        text = raw if isinstance(raw, str) else raw.decode()
        self.frames.append(text)
        parsed: dict[str, Any] = json.loads(text)
        return parsed


class RecordingEnv(RecordingMixin, CodeReviewEnv):
    """The typed client, recording."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.frames = []


class RecordingGenericEnv(RecordingMixin, GenericEnvClient):
    """OpenEnv's dict client, recording; used to send actions the typed client would refuse."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.frames = []

    def last_error(self) -> dict[str, Any]:
        frame = json.loads(self.frames[-1])
        assert frame["type"] == "error", frame
        data: dict[str, Any] = frame["data"]
        return data


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


def test_broken_corpus_stops_the_server_with_file_and_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """uvicorn imports ``env.server.app``, which builds the app and loads every task."""
    from env.server.app import build_app
    from graderlib import TaskLoadError

    broken = tmp_path / "tasks" / "broken"
    shutil.copytree(FIXTURE_TASKS / "env-ledger", broken)
    snippet = broken / "snippet.py"
    snippet.write_text(snippet.read_text().replace("expect: sql-injection", "expect: sqlx-nope"))
    monkeypatch.setenv("GRADERLIB_TASKS_DIR", str(tmp_path / "tasks"))
    with pytest.raises(
        TaskLoadError, match=r"snippet\.py:15: task 'broken': unknown category 'sqlx-nope'"
    ):
        build_app()


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
