"""A real uvicorn server on a free loopback port, and recording OpenEnv clients.

Shared by the environment tests (server, web UI, Docker, harness): ``running_server`` starts
``uvicorn env.server.app:app`` in a subprocess with the settings given as environment
variables, exactly as a deployment does; the recording clients keep every frame the server
sends, so tests can check what went over the wire, not only what the client parsed.
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

from openenv import GenericEnvClient

from env import CodeReviewEnv

REPO = Path(__file__).resolve().parents[1]
FIXTURE_TASKS = REPO / "tests" / "fixtures" / "env_tasks"
CORPUS = REPO / "tasks"


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
