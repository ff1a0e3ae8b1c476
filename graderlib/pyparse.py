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
from dataclasses import dataclass
from typing import Any

import libcst as cst

from graderlib.nesting import NestingError, check_long_statements, check_nesting

AST_LOCK = threading.RLock()


def parse_python(source: str | bytes, filename: str = "<unknown>") -> ast.Module:
    """``ast.parse(source, filename)``, serialised with every other parse in the process."""
    with AST_LOCK:
        return ast.parse(source, filename)


def literal_eval(text: str) -> Any:
    """``ast.literal_eval(text)``, which parses, serialised with every other parse."""
    with AST_LOCK:
        return ast.literal_eval(text)


# ------------------------------------------------------------------ ast, then libcst


@dataclass(frozen=True, slots=True)
class ParsedSource:
    """One source parsed by libcst and, where this interpreter's grammar allows, by ``ast``.

    ``tree`` is None for newer syntax than the running interpreter reads (PEP 701 f-strings
    or PEP 695 ``type`` statements on 3.11): libcst, whose grammar does not depend on the
    interpreter, still parses it, and positions then come from libcst alone.
    """

    module: cst.Module
    tree: ast.Module | None


class SourceSyntaxError(ValueError):
    """Neither parser accepts the source, or it is too deep to give to libcst."""

    def __init__(self, message: str, line: int | None = None, column: int | None = None) -> None:
        self.message = message
        self.line = line
        self.column = column
        super().__init__(message)


def parse_source(source: str) -> ParsedSource:
    """Parse with ``ast`` (under the lock) and libcst; raise :class:`SourceSyntaxError`.

    Python's own parser goes first: it rejects pathological nesting with a SyntaxError, where
    libcst's native parser can overflow the C stack and kill the process. But ``ast`` does not
    reject everything libcst chokes on, nor accept newer syntax, so libcst only sees a source
    whose nesting estimate is under the limit (:mod:`graderlib.nesting`): the whole source if
    ``ast`` rejected it, its long statements if ``ast`` accepted it. When libcst rejects it
    too, CPython's message is the one reported: it names the culprit better.
    """
    ast_error: SyntaxError | None = None
    tree: ast.Module | None = None
    try:
        tree = parse_python(source)
    except SyntaxError as error:
        ast_error = error
    except (RecursionError, MemoryError) as error:  # CPython's parser gives up on deep nesting
        raise SourceSyntaxError(f"nested too deeply to analyse ({type(error).__name__})") from None
    except (ValueError, OverflowError) as error:
        raise SourceSyntaxError(f"cannot parse: {error}") from None
    try:
        if ast_error is None and tree is not None:
            check_long_statements(source, tree)
        else:
            check_nesting(source)
    except NestingError as error:
        raise SourceSyntaxError(str(error), error.line) from None
    except ValueError:
        raise (
            _from_ast(ast_error)
            if ast_error is not None
            else SourceSyntaxError("cannot be tokenized")
        ) from None
    try:
        module = cst.parse_module(source)
    except cst.ParserSyntaxError as error:
        if ast_error is not None:
            raise _from_ast(ast_error) from None
        message = str(error.message).strip().splitlines()[0] if error.message else "invalid"
        raise SourceSyntaxError(message, error.raw_line, error.raw_column + 1) from None
    except (RecursionError, MemoryError, ValueError, Exception) as error:
        raise SourceSyntaxError(f"cannot parse: {error}") from None
    return ParsedSource(module, tree)


def _from_ast(error: SyntaxError) -> SourceSyntaxError:
    return SourceSyntaxError(error.msg, error.lineno or 1, error.offset or 1)
