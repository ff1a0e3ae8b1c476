"""ast parsing from many threads: CPython 3.11's AST constructor is not thread-safe."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from graderlib.detectors.bandit import run_bandit
from graderlib.detectors.external import ToolError
from graderlib.pyparse import parse_python

REPO = Path(__file__).resolve().parent.parent
SOURCES = [p.read_text() for p in sorted(REPO.glob("tasks/*/snippet.py"))[:8]]


class _SlowFinalizer:
    """Cyclic garbage whose finalizer lets other threads run in the middle of a collection.

    A collection that starts inside one thread's AST conversion then runs another thread's
    parse, which is what breaks CPython's shared recursion-depth check (cpython#106905). With
    plain ``ast.parse`` this loop raised ``SystemError: AST constructor recursion depth
    mismatch`` in every one of four runs here; behind graderlib's lock it never does.
    """

    def __init__(self) -> None:
        self.me = self

    def __del__(self) -> None:
        time.sleep(0.0002)


def test_parses_from_many_threads_amid_finalizers_never_fail() -> None:
    errors: list[str] = []

    def work(source: str) -> None:
        for _ in range(30):
            for _ in range(100):
                _SlowFinalizer()
            try:
                parse_python(source)
            except SystemError as error:
                errors.append(str(error))

    threads = [threading.Thread(target=work, args=(s,)) for s in SOURCES]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []


def test_a_file_bandit_skips_is_a_tool_error_not_an_empty_result() -> None:
    # bandit catches its own exceptions and reports nothing; graderlib must not believe that
    with pytest.raises(ToolError, match="could not scan"):
        run_bandit("x = 1\x00\n")
