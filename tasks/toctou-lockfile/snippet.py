import os
from pathlib import Path

LOCK = Path("/var/run/nightly-sync.lock")


class AlreadyRunning(Exception):
    pass


def acquire(lock: Path = LOCK) -> None:
    # expect: race-condition severity=high id=exists-then-create
    if lock.exists():
        raise AlreadyRunning(lock.read_text().strip())
    lock.write_text(str(os.getpid()))


def release(lock: Path = LOCK) -> None:
    lock.unlink(missing_ok=True)


def run_exclusive(job, lock: Path = LOCK) -> None:
    acquire(lock)
    try:
        job()
    finally:
        release(lock)
