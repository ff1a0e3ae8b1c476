import logging
import queue
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger("jobs")


class PermanentError(Exception):
    """The job can never succeed (bad payload, missing record); do not retry it."""


@dataclass
class Job:
    name: str
    payload: dict[str, Any]
    id: str = field(default_factory=lambda: uuid.uuid4().hex)
    attempts: int = 0
    status: str = "queued"
    error: str | None = None


class JobQueue:
    def __init__(self, workers: int = 4, max_attempts: int = 5, backoff: float = 0.5,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.handlers: dict[str, Callable[[dict[str, Any]], None]] = {}
        self.jobs: dict[str, Job] = {}
        self.stats = {"done": 0, "failed": 0, "retried": 0}
        self.max_attempts = max_attempts
        self.backoff = backoff
        self.sleep = sleep
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._work, daemon=True) for _ in range(workers)]

    def register(self, name: str, handler: Callable[[dict[str, Any]], None]) -> None:
        self.handlers[name] = handler

    def register_many(self, names: list[str], handler: Callable[[str, dict[str, Any]], None]) -> None:
        for name in names:
            # expect: late-binding-closure severity=medium id=handler-name
            self.register(name, lambda payload: handler(name, payload))

    def start(self) -> None:
        for thread in self._threads:
            thread.start()

    def submit(self, name: str, payload: dict[str, Any]) -> str:
        if name not in self.handlers:
            raise KeyError(f"no handler for {name!r}")
        job = Job(name, payload)
        # ok: missing-lock
        with self._lock:
            self.jobs[job.id] = job
        self._queue.put(job)
        return job.id

    def cancel(self, job_id: str) -> bool:
        with self._lock:
            job = self.jobs.get(job_id)
            if job is None or job.status != "queued":
                return False
            job.status = "cancelled"
            return True

    def _run(self, job: Job) -> None:
        handler = self.handlers[job.name]
        # expect: retry-misuse severity=medium id=retry-permanent
        while job.attempts < self.max_attempts:
            job.attempts += 1
            try:
                handler(job.payload)
                job.status = "done"
                return
            except Exception as error:
                job.error = f"{type(error).__name__}: {error}"
                log.warning("job %s attempt %d failed: %s", job.id, job.attempts, job.error)
                with self._lock:
                    self.stats["retried"] += 1
                self.sleep(self.backoff * 2 ** (job.attempts - 1))
        job.status = "failed"

    def _work(self) -> None:
        while True:
            job = self._queue.get()
            if job is None:
                self._queue.task_done()
                return
            # expect: race-condition severity=high id=cancel-vs-start
            if job.status == "cancelled":
                self._queue.task_done()
                continue
            job.status = "running"
            self._run(job)
            key = "done" if job.status == "done" else "failed"
            # expect: missing-lock severity=high id=stats-increment
            self.stats[key] += 1
            self._queue.task_done()

    def drain(self, timeout: float = 10.0) -> None:
        deadline = time.monotonic() + timeout
        while self._queue.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.01)

    def stop(self) -> None:
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join(timeout=5)
