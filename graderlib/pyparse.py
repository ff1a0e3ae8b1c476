"""``ast.parse`` behind one process-wide lock, because it is not thread-safe on CPython 3.11.

CPython keeps the AST constructor's recursion depth in interpreter-wide state and checks it
after each conversion (python/cpython#106905). If the garbage collector runs a finalizer in
the middle of a conversion and another thread parses meanwhile, the check fails with
``SystemError: AST constructor recursion depth mismatch``. A server grading sessions in
threads hits this sooner or later, and bandit swallows the error as "no findings".

One unlocked parse anywhere is enough to break every locked one, whatever it parses: a
fingerprint's ``ast.literal_eval`` of a string literal once did (issue 10). So every ``ast``
parse in graderlib goes through this module (a test walks the package for strays), and every
in-process bandit run (which parses) holds the lock.
"""

from __future__ import annotations

import ast
import threading
from typing import Any

AST_LOCK = threading.RLock()


def parse_python(source: str | bytes, filename: str = "<unknown>") -> ast.Module:
    """``ast.parse(source, filename)``, serialised with every other parse in the process."""
    with AST_LOCK:
        return ast.parse(source, filename)


def literal_eval(text: str) -> Any:
    """``ast.literal_eval(text)``, which parses, serialised with every other parse."""
    with AST_LOCK:
        return ast.literal_eval(text)
