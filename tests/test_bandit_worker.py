"""Bandit's helper process: same answers as in-process, and no way for it to hang or lose a scan."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from graderlib.detectors import scan, start_bandit_worker, stop_bandit_worker
from graderlib.detectors import worker as helper
from graderlib.detectors.bandit import run_bandit

REPO = Path(__file__).resolve().parent.parent
TOOLS = ("graderlib", "bandit")  # ruff is not involved; leaving it out keeps these fast
FIXTURE = REPO / "tests/fixtures/detectors/vulnerable_app.py"
SOURCES = [*sorted(REPO.glob("tasks/*/snippet.py")), FIXTURE]
SHELL = "import subprocess\nsubprocess.call(cmd, shell=True)\n"
PICKLE = "import pickle\n\ndef load(blob):\n    return pickle.loads(blob)\n"


@pytest.fixture
def running_helper() -> Iterator[helper.BanditWorker]:
    start_bandit_worker()
    assert helper._worker is not None
    yield helper._worker
    stop_bandit_worker()


def _helper_pid() -> int:
    assert helper._worker is not None
    return helper._worker.process.pid


def test_every_corpus_scan_is_the_same_with_and_without_the_helper() -> None:
    sources = [p.read_text() for p in SOURCES] + ["s = 'caf\\u00e9 \udcff'\n" + SHELL]
    without = [scan(s, TOOLS) for s in sources]
    start_bandit_worker()
    try:
        with_helper = [scan(s, TOOLS) for s in sources]
        assert helper._worker is not None and helper._worker.alive()
    finally:
        stop_bandit_worker()
    assert with_helper == without
    # graderlib's own detectors analysed every file (an internal error would make both sides
    # equal and empty, and hide a detector bug)
    internal = {i: r.tool_errors for i, r in enumerate(without) if r.tool_errors}
    assert not internal, internal
    # the comparison has something in it: bandit's own findings (standing, or overruled by
    # consensus and kept in `suppressed`), from many files
    from_bandit = [
        r
        for r in without
        if any("bandit" in f.tools for f in (*r.findings, *(s.finding for s in r.suppressed)))
    ]
    assert len(from_bandit) >= 25, len(from_bandit)


def test_start_is_idempotent_and_stop_leaves_no_process() -> None:
    start_bandit_worker()
    first = helper._worker
    start_bandit_worker()
    assert helper._worker is first and first is not None
    stop_bandit_worker()
    stop_bandit_worker()
    assert first.process.returncode is not None
    assert helper.submit_bandit(SHELL, "snippet.py") is None  # no helper: caller runs bandit


def test_a_killed_helper_costs_one_in_process_run_and_can_be_restarted(
    running_helper: helper.BanditWorker,
) -> None:
    expected = scan(PICKLE, TOOLS)
    os.kill(running_helper.process.pid, signal.SIGKILL)
    running_helper.process.wait(timeout=10)
    assert scan(PICKLE, TOOLS) == expected
    start_bandit_worker()
    assert _helper_pid() != running_helper.process.pid
    assert scan(PICKLE, TOOLS) == expected


def test_a_helper_that_dies_mid_scan_still_gives_the_right_answer(
    running_helper: helper.BanditWorker,
) -> None:
    job = helper.submit_bandit(PICKLE, "snippet.py")
    assert job is not None
    os.kill(running_helper.process.pid, signal.SIGKILL)
    assert job.result(PICKLE, "snippet.py") == run_bandit(PICKLE, "snippet.py")


def test_a_stalled_helper_times_out_and_is_replaced_by_an_in_process_run(
    running_helper: helper.BanditWorker, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(helper, "_ANSWER_TIMEOUT_SECONDS", 0.5)
    os.kill(running_helper.process.pid, signal.SIGSTOP)
    started = time.monotonic()
    result = scan(SHELL, TOOLS)
    assert time.monotonic() - started < 10
    assert {f.category for f in result.findings} == {"command-injection"}
    assert running_helper.process.returncode is not None  # killed, not left stopped


def test_an_abandoned_job_does_not_shift_the_next_answer(
    running_helper: helper.BanditWorker,
) -> None:
    job = helper.submit_bandit(SHELL, "snippet.py")
    assert job is not None
    job.abandon()
    later = helper.submit_bandit(PICKLE, "snippet.py")
    assert later is not None
    assert later.result(PICKLE, "snippet.py") == run_bandit(PICKLE, "snippet.py")


def test_a_busy_helper_sends_the_second_scan_in_process(
    running_helper: helper.BanditWorker,
) -> None:
    first = helper.submit_bandit(SHELL, "snippet.py")
    assert first is not None
    assert helper.submit_bandit(PICKLE, "snippet.py") is None  # busy: no waiting in line
    assert first.result(SHELL, "snippet.py") == run_bandit(SHELL, "snippet.py")


def test_concurrent_scans_from_threads_each_get_their_own_answer() -> None:
    sources = [p.read_text() for p in SOURCES[:12]]
    expected = [scan(s, ("bandit",)) for s in sources]
    results: dict[int, list[object]] = {i: [] for i in range(len(sources))}

    def work(index: int) -> None:
        for _ in range(3):
            results[index].append(scan(sources[index], ("bandit",)))

    start_bandit_worker()
    try:
        threads = [threading.Thread(target=work, args=(i,)) for i in range(len(sources))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
    finally:
        stop_bandit_worker()
    for index in range(len(sources)):
        assert results[index] == [expected[index]] * 3, index


def test_the_helper_answers_garbage_with_an_error_and_exits_when_its_parent_goes() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "graderlib.detectors.worker"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
    )
    good = json.dumps({"source": SHELL, "path": "a.py"}).encode()
    stdout, _ = process.communicate(b"not json\n" + b'{"path": "x.py"}\n' + good + b"\n", 60)
    answers = [json.loads(line) for line in stdout.splitlines()]
    assert "error" in answers[0] and "error" in answers[1]
    assert [f["rule_id"] for f in answers[2]["findings"]] == ["B404", "B602"]
    assert process.returncode == 0  # stdin closed: it ends by itself, no orphan


def test_a_source_too_large_for_the_pipe_runs_in_process(
    running_helper: helper.BanditWorker,
) -> None:
    large = SHELL + "x = 1\n" * 20_000
    assert helper.submit_bandit(large, "snippet.py") is None
    assert {f.category for f in scan(large, TOOLS).findings} == {"command-injection"}
