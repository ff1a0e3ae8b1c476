"""Bandit in a long-lived helper process, so that half of a scan runs on another core.

Bandit and graderlib's libcst detectors are both pure Python, so in one process they run one
after the other under the GIL; ruff already runs as its own process. A caller that scans
again and again (the environment server, a benchmark, a CI job verifying many patches) can
start this helper once: ``scan`` then hands bandit's half to it and does the libcst half
meanwhile.

The helper is a plain ``python -m graderlib.detectors.worker`` child speaking JSON lines on
its stdin and stdout, not ``multiprocessing``: that would re-import the caller's main script
in the child, which a library must not ask of its users. It serves one scan at a time; a
scan that finds it busy, dead or slow runs bandit in-process, so the helper can only ever
make a scan faster, never change its answer. Without the helper (the default, and what a
one-shot CLI call wants: a process start costs more than it saves) bandit runs in-process.
"""

from __future__ import annotations

import atexit
import dataclasses
import json
import selectors
import subprocess
import sys
import threading
from typing import IO

from graderlib.detectors.bandit import run_bandit
from graderlib.detectors.external import ToolError, ToolFinding
from graderlib.taxonomy import Severity

_ANSWER_TIMEOUT_SECONDS = 30.0
# A request must fit in the (empty) pipe to the helper, so that writing it never blocks, even
# on a helper that has stopped reading. Linux pipes hold 64 KiB; larger sources run in-process.
_MAX_REQUEST_BYTES = 60_000


class BanditWorker:
    """The helper process and the one request it may have in flight."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "graderlib.detectors.worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self.busy = threading.Lock()

    def submit(self, source: str, path: str) -> BanditJob | None:
        """Send one scan to the helper, or None if it is busy or gone or the source is large."""
        request = (json.dumps({"source": source, "path": path}) + "\n").encode("ascii")
        if len(request) > _MAX_REQUEST_BYTES or not self.busy.acquire(blocking=False):
            return None
        try:
            assert self.process.stdin is not None
            self.process.stdin.write(request)
            self.process.stdin.flush()
        except (OSError, ValueError):
            self.busy.release()
            return None
        return BanditJob(self)

    def read_answer(self) -> list[ToolFinding]:
        """The helper's answer to the request in flight; raises ToolError if there is none."""
        stdout = self.process.stdout
        assert stdout is not None
        if not _readable_within(stdout, _ANSWER_TIMEOUT_SECONDS):
            self.close()
            raise ToolError(f"bandit helper gave no answer in {_ANSWER_TIMEOUT_SECONDS:.0f} s")
        line = stdout.readline()
        if not line:
            # End of stream: the helper is exiting. Its pipe can close before the kernel lets
            # poll() see the exit, so reap it now, or the caller would take it for alive and
            # this for bandit's own failure instead of running bandit in-process.
            self.close()
            raise ToolError("bandit helper exited")
        answer = json.loads(line)
        if "error" in answer:
            raise ToolError(str(answer["error"]))
        return [_finding(item) for item in answer["findings"]]

    def alive(self) -> bool:
        return self.process.poll() is None

    def close(self) -> None:
        if self.alive():
            self.process.kill()
        self.process.wait()
        for stream in (self.process.stdin, self.process.stdout):
            if stream is not None:
                stream.close()


class BanditJob:
    """A scan sent to the helper; exactly one of :meth:`result` and :meth:`abandon` follows."""

    def __init__(self, worker: BanditWorker) -> None:
        self.worker = worker
        self.done = False

    def result(self, source: str, path: str) -> list[ToolFinding]:
        """The helper's findings; bandit in-process if the helper failed to answer."""
        try:
            return self._answer()
        except ToolError:
            if self.worker.alive():
                raise  # bandit itself failed in the helper; it would fail here too
        except (OSError, ValueError, KeyError, TypeError):
            self.worker.close()  # an answer we cannot read: the stream is out of step
        return run_bandit(source, path)

    def abandon(self) -> None:
        """Read and drop the answer of a scan that ended early, so the next one reads its own."""
        if not self.done:
            try:
                self._answer()
            except (ToolError, OSError, ValueError, KeyError, TypeError):
                self.worker.close()

    def _answer(self) -> list[ToolFinding]:
        self.done = True
        try:
            return self.worker.read_answer()
        finally:
            self.worker.busy.release()


def _readable_within(stream: IO[bytes], seconds: float) -> bool:
    with selectors.DefaultSelector() as selector:
        selector.register(stream, selectors.EVENT_READ)
        return bool(selector.select(seconds))


def _finding(item: dict[str, object]) -> ToolFinding:
    return ToolFinding(**{**item, "severity": Severity(str(item["severity"]))})  # type: ignore[arg-type]


_lock = threading.Lock()
_worker: BanditWorker | None = None


def start_bandit_worker() -> None:
    """Start the helper (idempotent) and wait until it has bandit loaded and has answered.

    Raises ToolError if it cannot start; scans then keep running bandit in-process.
    """
    global _worker
    with _lock:
        if _worker is not None and _worker.alive():
            return
        try:
            worker = BanditWorker()
        except OSError as error:
            raise ToolError(f"cannot start the bandit helper: {error}") from error
        job = worker.submit("import subprocess\nsubprocess.call('x', shell=True)\n", "warm.py")
        try:
            if job is None or not job._answer():
                raise ToolError("the bandit helper did not answer its first request")
        except (ToolError, OSError, ValueError, KeyError, TypeError) as error:
            worker.close()
            raise ToolError(f"the bandit helper failed to start: {error}") from error
        _worker = worker


def stop_bandit_worker() -> None:
    """Stop the helper (idempotent); later scans run bandit in-process."""
    global _worker
    with _lock:
        worker, _worker = _worker, None
    if worker is not None:
        with worker.busy:  # let a scan in flight read its answer first
            worker.close()


def submit_bandit(source: str, path: str) -> BanditJob | None:
    """Bandit's run on ``source`` in the helper, or None: then the caller runs it in-process."""
    worker = _worker
    if worker is None or not worker.alive():
        return None
    return worker.submit(source, path)


atexit.register(stop_bandit_worker)


def main() -> None:
    """The helper's side: one JSON request per line in, one JSON answer per line out."""
    for line in sys.stdin.buffer:
        try:
            request = json.loads(line)
            findings = run_bandit(str(request["source"]), str(request["path"]))
            answer: dict[str, object] = {
                "findings": [dataclasses.asdict(f) for f in findings],
            }
        except ToolError as error:
            answer = {"error": str(error)}
        except Exception as error:
            answer = {"error": f"bandit helper: {type(error).__name__}: {error}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


if __name__ == "__main__":
    main()
