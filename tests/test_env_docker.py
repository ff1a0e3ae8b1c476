"""The Dockerfile, without a Docker engine: hadolint, its promises, and its commands run here.

There is no Docker engine on the test machines, so the image is never built. Instead: hadolint
lints the file at its strictest threshold; the structure the issue asks for is checked
(slim base, the env extra, a non-root user, a HEALTHCHECK on /health, serving on $PORT); and
the image's own CMD and HEALTHCHECK commands are run on this machine against each other, with
the image's ENV defaults and another PORT, to show that they fit together.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import subprocess
import sys
import time
from pathlib import Path

import pytest
from websockets.sync.client import connect

from tests.env_support import FIXTURE_TASKS, REPO, free_port, http

DOCKERFILE = REPO / "Dockerfile"
# The tools of the venv running this test (.venv, or .venv-3.13 in CI's newer-Python runs).
VENV_BIN = Path(sys.executable).parent
HADOLINT = VENV_BIN / "hadolint"


def instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) with continuation lines joined and comments dropped."""
    logical: list[str] = []
    pending = ""
    for line in DOCKERFILE.read_text().splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        logical.append(pending + line)
        pending = ""
    return [(s.split(None, 1)[0].upper(), s.split(None, 1)[1].strip()) for s in logical]


def env_defaults() -> dict[str, str]:
    defaults: dict[str, str] = {}
    for name, arguments in instructions():
        if name == "ENV":
            for pair in shlex.split(arguments):
                key, _, value = pair.partition("=")
                defaults[key] = value
    return defaults


def exec_form(arguments: str) -> list[str]:
    parsed = json.loads(arguments)
    assert isinstance(parsed, list) and all(isinstance(a, str) for a in parsed)
    return parsed


def test_hadolint_passes_at_the_strictest_threshold() -> None:
    done = subprocess.run(
        [str(HADOLINT), "--failure-threshold", "style", str(DOCKERFILE)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip() == ""


def test_dockerfile_structure() -> None:
    steps = instructions()
    names = [name for name, _ in steps]
    base = dict(steps)["FROM"]
    assert re.fullmatch(r"python:3\.1[1-9]-slim(-\w+)?", base), base
    runs = [args for name, args in steps if name == "RUN"]
    assert any('pip install --no-cache-dir ".[env]"' in r for r in runs)
    user = [args for name, args in steps if name == "USER"]
    assert user and user[-1] not in ("root", "0")
    assert names.index("USER") < names.index("CMD")
    health = dict(steps)["HEALTHCHECK"]
    assert "/health" in health and "--interval" in health
    assert "$PORT" in dict(steps)["CMD"]
    assert env_defaults()["PORT"] == "8000" and env_defaults()["HOST"] == "0.0.0.0"
    ignored = (REPO / ".dockerignore").read_text().split()
    assert {".git", ".venv", "tests"} <= set(ignored)


@pytest.mark.slow
def test_the_images_cmd_serves_on_port_and_its_healthcheck_sees_it(tmp_path: Path) -> None:
    steps = dict(instructions())
    command = exec_form(steps["CMD"])
    probe = exec_form(steps["HEALTHCHECK"].split(" CMD ", 1)[1])
    port = str(free_port())
    environ = {
        **os.environ,
        **env_defaults(),
        "HOST": "127.0.0.1",
        "PORT": port,
        "GRADERLIB_TASKS_DIR": str(FIXTURE_TASKS),
        "PATH": f"{VENV_BIN}:{os.environ['PATH']}",
    }
    probe[0] = str(VENV_BIN / probe[0])
    assert subprocess.run(probe, env=environ, capture_output=True, timeout=30).returncode != 0
    with (tmp_path / "server.log").open("wb") as log:
        server = subprocess.Popen(command, cwd=REPO, env=environ, stdout=log, stderr=log)
    try:
        deadline = time.monotonic() + 60
        while subprocess.run(probe, env=environ, capture_output=True, timeout=30).returncode:
            assert server.poll() is None, (tmp_path / "server.log").read_text()
            assert time.monotonic() < deadline, (tmp_path / "server.log").read_text()
            time.sleep(0.2)
        status, body = http(f"http://127.0.0.1:{port}/config")
        assert status == 200 and json.loads(body)["max_concurrent_envs"] == 64
        # The client offers per-message deflate (as websockets does by default); the image's
        # uvicorn declines it, so frames travel uncompressed.
        with connect(f"ws://127.0.0.1:{port}/ws", compression="deflate") as ws:
            assert ws.response is not None
            assert "Sec-WebSocket-Extensions" not in ws.response.headers
    finally:
        server.terminate()
        server.wait(timeout=15)
