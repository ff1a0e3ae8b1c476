"""``ast.parse`` behind one process-wide lock, because it is not thread-safe on CPython 3.11.

CPython keeps the AST constructor's recursion depth in interpreter-wide state and checks it
after each conversion (python/cpython#106905). If the garbage collector runs a finalizer in
the middle of a conversion and another thread parses meanwhile, the check fails with
``SystemError: AST constructor recursion depth mismatch``. A server grading sessions in
threads hits this sooner or later, and bandit swallows the error as "no findings". Every
``ast`` parse in graderlib, and every in-process bandit run (which parses), holds this lock.
"""

from __future__ import annotations

import ast
import threading

AST_LOCK = threading.RLock()


def parse_python(source: str | bytes, filename: str = "<unknown>") -> ast.Module:
    """``ast.parse(source, filename)``, serialised with every other parse in the process."""
    with AST_LOCK:
        return ast.parse(source, filename)
