"""Patch verification speed on a 61-line task with two issues and five tests.

Anchor: starting a plain ``python -c pass`` subprocess, timed interleaved in the same run.
Targets (from the issue): verification without tests median <= 30 ms; with tests <= 0.5 s.
The original snippet's scan and test run are cached by design (they never change), so the
figures are for verifying one more patch on a task already seen, after one warm-up.

Verification without tests is timed twice: as the environment server runs it, with bandit in
its helper process (``graderlib.detectors.start_bandit_worker``), and fully in-process, as a
one-shot ``graderlib verify-patch`` does. The target applies to the server's configuration.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from benchmarks.timing import interleaved_medians
from graderlib.detectors import start_bandit_worker, stop_bandit_worker
from graderlib.task import load_task
from graderlib.verify import verify_patch
from graderlib.verify.patch import apply_patch
from graderlib.verify.sandbox import run_in_sandbox

TASK_DIR = Path(__file__).resolve().parent.parent / "tests/fixtures/patch_tasks/inventory-service"
STATIC_TARGET_S = 0.030
TESTS_TARGET_S = 0.5


def _python_pass() -> None:
    subprocess.run([sys.executable, "-c", "pass"], check=True)


def run() -> dict[str, object]:
    task = load_task(TASK_DIR)
    patch = (TASK_DIR / "fix.diff").read_text()
    tests = (TASK_DIR / "test_task.py").read_text()
    verdict = verify_patch(task, patch)
    assert verdict.resolved, verdict.reasons  # the thing measured really works

    in_process, anchor_in_process = interleaved_medians(
        lambda: verify_patch(task, patch, run_tests=False), _python_pass, rounds=30
    )
    start_bandit_worker()
    try:
        static, anchor_static = interleaved_medians(
            lambda: verify_patch(task, patch, run_tests=False), _python_pass, rounds=30
        )
    finally:
        stop_bandit_worker()
    with_tests, anchor_tests = interleaved_medians(
        lambda: verify_patch(task, patch), _python_pass, rounds=12
    )
    apply_only, anchor_apply = interleaved_medians(
        lambda: apply_patch(task.source, patch), _python_pass, rounds=30
    )
    patched = apply_patch(task.source, patch).source
    sandbox_only, anchor_sandbox = interleaved_medians(
        lambda: run_in_sandbox(patched, tests), _python_pass, rounds=12
    )
    return {
        "snippet_lines": task.line_count,
        "isolation": verdict.isolation,
        "anchor": "subprocess python -c pass",
        "anchor_ms": round(anchor_static * 1000, 2),
        "verify_without_tests_ms": round(static * 1000, 2),
        "verify_without_tests_ratio_to_anchor": round(static / anchor_static, 3),
        "verify_without_tests_target_ms": STATIC_TARGET_S * 1000,
        "verify_without_tests_meets_target": static <= STATIC_TARGET_S,
        "verify_without_tests_in_process_ms": round(in_process * 1000, 2),
        "verify_without_tests_in_process_ratio_to_anchor": round(in_process / anchor_in_process, 3),
        "verify_with_tests_ms": round(with_tests * 1000, 1),
        "verify_with_tests_ratio_to_anchor": round(with_tests / anchor_tests, 3),
        "verify_with_tests_target_ms": TESTS_TARGET_S * 1000,
        "verify_with_tests_meets_target": with_tests <= TESTS_TARGET_S,
        "apply_only_ms": round(apply_only * 1000, 3),
        "apply_only_ratio_to_anchor": round(apply_only / anchor_apply, 4),
        "sandboxed_test_run_ms": round(sandbox_only * 1000, 1),
        "sandboxed_test_run_ratio_to_anchor": round(sandbox_only / anchor_sandbox, 3),
    }
