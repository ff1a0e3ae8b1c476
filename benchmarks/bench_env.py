"""One environment step vs one ``grade()`` of the same findings, in process and over ``/ws``.

A ``report`` step re-grades the whole episode, so its floor is one ``grade()`` call. The ratios
say what the environment adds on top: building the observation (in process), and JSON plus a
WebSocket round trip to a real uvicorn server on loopback (over ``/ws``). Each round resets an
episode untimed, then times the step and the anchor back to back, so noise hits both alike.

Targets: in process at most 3x one ``grade()``; over ``/ws`` at most 15x.
"""

from __future__ import annotations

import os
import socket
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from benchmarks.timing import interleaved_medians
from env import CodeReviewAction, CodeReviewEnv, ReviewFinding
from env.server.catalog import load_catalog
from env.server.environment import CodeReviewEnvironment
from graderlib import EpisodeProgress, Task, grade

REPO = Path(__file__).resolve().parents[1]
TASKS = Path(__file__).parent / "fixtures"
TASK_ID = "ten_issues"
ROUNDS = 60
TARGET_IN_PROCESS = 3.0
TARGET_WS = 15.0


def step_findings(task: Task) -> list[ReviewFinding]:
    """20 findings: 10 hits (a third of them a line off), 10 misses."""
    hits = [
        ReviewFinding(line=i.span.start + (n % 3 == 0), category=i.category, message="why it is")
        for n, i in enumerate(task.issues)
    ]
    misses = [
        ReviewFinding(line=3 + 9 * n, category="xss", message="a false positive") for n in range(10)
    ]
    return hits + misses


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _serve() -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    environ = {**os.environ, "GRADERLIB_TASKS_DIR": str(TASKS), "MAX_CONCURRENT_ENVS": "4"}
    process = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "env.server.app:app", "--port", str(port),
         "--log-level", "warning"],
        cwd=REPO, env=environ, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url + "/health", timeout=2):
                return process, url
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("the benchmark server did not start")


def run() -> dict[str, object]:
    catalog = load_catalog(TASKS)
    task = catalog.by_id[TASK_ID]
    findings = step_findings(task)
    action = CodeReviewAction(kind="report", findings=findings)
    as_dicts = [f.model_dump() for f in findings]
    progress = EpisodeProgress()

    def anchor() -> object:
        return grade(task, as_dicts, episode=progress)

    env = CodeReviewEnvironment(catalog=catalog)
    local_s, local_anchor_s = interleaved_medians(
        lambda: env.step(action), anchor, rounds=ROUNDS, setup=lambda: env.reset(task_id=TASK_ID)
    )

    process, url = _serve()
    try:
        with CodeReviewEnv(base_url=url).sync() as client:
            ws_s, ws_anchor_s = interleaved_medians(
                lambda: client.step(action),
                anchor,
                rounds=ROUNDS,
                setup=lambda: client.reset(task_id=TASK_ID),
            )
    finally:
        process.terminate()
        process.wait(timeout=15)

    local_ratio = local_s / local_anchor_s
    ws_ratio = ws_s / ws_anchor_s
    return {
        "findings_per_step": len(findings),
        "issues": len(task.issues),
        "grade_ms": round(statistics.mean([local_anchor_s, ws_anchor_s]) * 1000, 4),
        "step_in_process_ms": round(local_s * 1000, 4),
        "step_over_ws_ms": round(ws_s * 1000, 4),
        "ratio_step_in_process_to_grade": round(local_ratio, 3),
        "ratio_step_over_ws_to_grade": round(ws_ratio, 3),
        "target_in_process": TARGET_IN_PROCESS,
        "target_ws": TARGET_WS,
        "meets_target": local_ratio <= TARGET_IN_PROCESS and ws_ratio <= TARGET_WS,
    }
