"""ast parsing from many threads: CPython 3.11's AST constructor is not thread-safe.

CPython keeps the AST constructor's recursion depth in interpreter-wide state
(cpython#106905). If the garbage collector runs a finalizer in the middle of one thread's
conversion and another thread parses meanwhile, the first one fails with ``SystemError: AST
constructor recursion depth mismatch``. Rather than hope for that interleaving in a loop of
threads, these tests force it: a finalizer that the GC runs inside ``ast.parse`` hands over to
another thread and waits for it. Each test that proves the lock holds has a control run
without the lock, which shows the failure, so it could fail.
"""

from __future__ import annotations

import ast
import gc
import sys
import threading
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from graderlib import pyparse
from graderlib.detectors import base
from graderlib.detectors.bandit import run_bandit
from graderlib.detectors.base import fingerprint, normalized_code
from graderlib.detectors.external import ToolError
from graderlib.detectors.scan import scan
from graderlib.pyparse import parse_python

REPO = Path(__file__).resolve().parent.parent
SOURCES = [p.read_text() for p in sorted(REPO.glob("tasks/*/snippet.py"))[:3]]
MISMATCH = "AST constructor recursion depth mismatch"
needs_cpython_106905 = pytest.mark.skipif(
    sys.version_info >= (3, 12), reason="cpython#106905 does not reproduce on 3.12+"
)


class _HandOver:
    """Garbage whose finalizer, once the GC runs it inside ``ast.parse`` on the parsing thread,
    lets the other thread work and waits (briefly) for it. Run anywhere else, it leaves fresh
    garbage for the next collection, so the hand-over happens at the first collection inside
    the parse."""

    def __init__(self, plan: dict[str, Any]) -> None:
        self.me = self
        self.plan = plan

    def __del__(self) -> None:
        plan = self.plan
        if plan["over"]:
            return
        inside_parse = sys._getframe(1).f_code.co_name == "parse"
        if threading.current_thread() is plan["thread"] and inside_parse:
            plan["over"] = True
            plan["go"].set()
            plan["done"].wait(timeout=0.05)  # behind the lock, the other thread waits for us
        else:
            _HandOver(plan)


def _interleave(parse: Callable[[], object], meanwhile: Callable[[], object]) -> list[str]:
    """Run ``meanwhile`` on another thread in the middle of ``parse``; the SystemErrors seen."""
    plan: dict[str, Any] = {
        "go": threading.Event(),
        "done": threading.Event(),
        "over": False,
        "thread": threading.current_thread(),
    }
    errors: list[str] = []

    def other() -> None:
        plan["go"].wait(timeout=5)
        try:
            meanwhile()
        except SystemError as error:
            errors.append(f"other thread: {error}")
        finally:
            plan["done"].set()

    thread = threading.Thread(target=other)
    thread.start()
    thresholds = gc.get_threshold()
    _HandOver(plan)
    gc.set_threshold(1)  # collect at every allocation, so the first one inside the parse does
    try:
        parse()
    except SystemError as error:
        errors.append(f"parsing thread: {error}")
    finally:
        gc.set_threshold(*thresholds)
        plan["over"] = True
        plan["go"].set()
    thread.join(timeout=10)
    return errors


class _NoLock:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        return None


# ----------------------------------------------------------- parse while another thread parses


def _parse_amid_parses() -> list[str]:
    errors: list[str] = []
    for source, other in zip(SOURCES, SOURCES[1:] + SOURCES[:1], strict=True):
        errors += _interleave(partial(parse_python, source), partial(parse_python, other))
    return errors


def test_parses_from_two_threads_at_once_never_fail() -> None:
    assert _parse_amid_parses() == []


@needs_cpython_106905
def test_control_parses_without_the_lock_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pyparse, "AST_LOCK", _NoLock())
    errors = _parse_amid_parses()
    assert len(errors) == len(SOURCES)
    assert all(e.startswith("parsing thread") and MISMATCH in e for e in errors)


# ----------------------------------------------------------- parse, scan and fingerprint at once

_FINGERPRINTED = "query = 'SELECT * FROM t WHERE id = ' + user_id\n"


def _fingerprint() -> None:
    # a fingerprint canonicalises each string literal, which parses it
    assert normalized_code(_FINGERPRINTED) == "query = 'SELECT * FROM t WHERE id = ' + user_id"
    fingerprint("sql_injection", _FINGERPRINTED, "handler")


def _parse_and_scan_amid_fingerprints() -> list[str]:
    errors: list[str] = []
    for source in SOURCES:
        errors += _interleave(partial(parse_python, source), _fingerprint)
        errors += _interleave(partial(scan, source, ("graderlib",)), _fingerprint)
    return errors


def test_threads_that_parse_scan_and_fingerprint_at_once_never_raise() -> None:
    assert _parse_and_scan_amid_fingerprints() == []


@needs_cpython_106905
def test_control_an_unlocked_parse_in_a_fingerprint_breaks_the_locked_parse(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the same run with fingerprints parsing string literals outside the lock (the defect of
    # issue 10): the locked parse, and scan() with it, raises; so the test above can fail
    monkeypatch.setattr(base, "literal_eval", ast.literal_eval)
    errors = _parse_and_scan_amid_fingerprints()
    assert len(errors) == 2 * len(SOURCES)
    assert all(e.startswith("parsing thread") and MISMATCH in e for e in errors)


def test_every_ast_parse_in_graderlib_goes_through_pyparse() -> None:
    # ast.parse, ast.literal_eval and compile() all run CPython's AST constructor
    offenders = []
    for path in sorted((REPO / "graderlib").rglob("*.py")):
        relative = path.relative_to(REPO).as_posix()
        if relative in _MAY_PARSE or "generate/bases/" in relative:
            continue
        tree = parse_python(path.read_text(), relative)
        from_ast = {
            alias.asname or alias.name
            for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module == "ast"
            for alias in node.names
        }
        offenders += [
            f"{relative}:{node.lineno}"
            for node in ast.walk(tree)
            if isinstance(node, ast.Call) and _parses(node.func, from_ast)
        ]
    assert offenders == []


def _parses(func: ast.expr, from_ast: set[str]) -> bool:
    if isinstance(func, ast.Name):
        return func.id == "compile" or func.id in from_ast
    return (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id == "ast"
        and func.attr in {"parse", "literal_eval"}
    )


_MAY_PARSE = {
    "graderlib/pyparse.py": "the lock itself",
    "graderlib/verify/runner.py": "runs in its own process, on one thread",
}


def test_a_file_bandit_skips_is_a_tool_error_not_an_empty_result() -> None:
    # bandit catches its own exceptions and reports nothing; graderlib must not believe that
    with pytest.raises(ToolError, match="could not scan"):
        run_bandit("x = 1\x00\n")
