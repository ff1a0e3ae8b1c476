"""What every ``graderlib`` command shares: the exit codes, the bad-input error, the parser.

Command modules import from here, never from :mod:`graderlib.cli` itself, so that the package's
``main`` can import a command module lazily without a cycle.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Callable
from enum import IntEnum
from pathlib import Path
from types import ModuleType
from typing import NoReturn, TypeAlias

from graderlib.task import Task, TaskLoadError, load_task


class ExitCode(IntEnum):
    """The one table of exit codes; CI scripts depend on it, so it is a contract."""

    OK = 0
    FAILED = 1  # the command ran and a check failed: lint errors, findings, a patch not resolving
    BAD_INPUT = 2  # input the command cannot use; one line on stderr says what and where
    INTERNAL = 3  # a bug or a broken installation; one line on stderr, never a traceback
    INTERRUPTED = 130  # Ctrl-C, as shells report SIGINT


class BadInput(Exception):
    """Input a command cannot use. :func:`graderlib.cli.main` prints the message, exits 2."""


Handler: TypeAlias = Callable[[argparse.Namespace], ExitCode]


class Parser(argparse.ArgumentParser):
    """argparse's parser with usage errors on exit code 2 (``ExitCode.BAD_INPUT``)."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(ExitCode.BAD_INPUT, f"{self.prog}: error: {message}\n")


Subparsers: TypeAlias = "argparse._SubParsersAction[Parser]"


def load_task_arg(path: str | Path) -> Task:
    """The task at ``path`` (a command-line argument); a task that does not load is bad input."""
    try:
        return load_task(path)
    except TaskLoadError as error:
        raise BadInput(str(error)) from None


def require(module: str, extra: str) -> ModuleType:
    """Import an optional dependency inside a handler, or say which extra installs it."""
    try:
        return importlib.import_module(module)
    except ImportError as error:
        raise BadInput(
            f"this command needs {module} ({error}); "
            f"install it with: pip install 'graderlib[{extra}]'"
        ) from None
