"""The ``graderlib`` command: one ``main``, one error path, one table of exit codes.

Exit codes (:class:`~graderlib.cli.base.ExitCode`) are a contract for CI: 0 success, 1 a check
failed (a lint error, findings, a patch that does not resolve), 2 bad input (one line on
stderr, never a traceback), 3 an internal error.

Adding a command
----------------
Each command group is one module in this package with one function, ``register``::

    # graderlib/cli/infer.py
    from graderlib.cli.base import BadInput, ExitCode, Subparsers

    def register(commands: Subparsers) -> None:
        parser = commands.add_parser("infer", help="...")
        parser.add_argument("task_dir")
        parser.set_defaults(handler=cmd_infer)

    def cmd_infer(args: argparse.Namespace) -> ExitCode:
        if nonsense(args.task_dir):
            raise BadInput(f"{args.task_dir}: what is wrong, and where")
        print(...)  # results go to stdout
        return ExitCode.OK  # or ExitCode.FAILED when the check it runs fails

and one line in :data:`COMMANDS` below: ``Command("infer", "graderlib.cli.infer")``.

The rules every command follows:

* **Errors have one path.** Raise :class:`~graderlib.cli.base.BadInput` for input the command
  cannot use; ``main`` prints ``graderlib: error: <message>`` on stderr and exits 2. Never print
  an error yourself, never call ``sys.exit``. Anything else that escapes a handler is caught
  by ``main`` as an internal error (exit 3, one line, no traceback).
* **Handlers return an ExitCode**: ``OK`` or ``FAILED`` (a check ran and did not pass).
* **Only the named command's module is imported** (all of them for ``--help``), so a module
  may import at its top what its own command needs (``scan`` imports the detectors). An
  optional extra is imported inside the handler with :func:`~graderlib.cli.base.require`,
  which turns its absence into a clear message, so ``--help`` works without it.
* **Data flows one way**: commands call the library; the library never imports ``graderlib.cli``.

Tests call ``main([...])`` in-process and read ``capsys``; one subprocess smoke test per
command checks the installed entry points.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from dataclasses import dataclass

from graderlib.cli.base import BadInput, ExitCode, Handler, Parser


@dataclass(frozen=True, slots=True)
class Command:
    """A top-level command word and the module whose ``register(commands)`` adds it."""

    name: str
    module: str


COMMANDS: tuple[Command, ...] = (
    Command("grade", "graderlib.cli.grade"),
    Command("tasks", "graderlib.cli.tasks"),
    Command("scan", "graderlib.cli.scan"),
    Command("verify-patch", "graderlib.cli.verify"),
    Command("scorecard", "graderlib.cli.scorecard"),
    Command("infer", "graderlib.cli.infer"),
    Command("trajectories", "graderlib.cli.trajectories"),
)


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; given ``argv``, only the module of the command it names is imported.

    Command modules import libcst matchers, bandit or the sandbox; ``graderlib grade`` should
    not pay for them. ``--help``, no command or an unknown one registers every command, so
    argparse can list them all.
    """
    parser = Parser(
        prog="graderlib", description="A static-analysis-backed grader for code review."
    )
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)
    requested = _requested_command(argv)
    named = [c for c in COMMANDS if c.name == requested]
    for command in named or COMMANDS:
        importlib.import_module(command.module).register(commands)
    return parser


def _requested_command(argv: Sequence[str] | None) -> str | None:
    """The first word that is not an option: ``"tasks"`` for ``graderlib tasks lint ...``."""
    return next((a for a in argv or () if not a.startswith("-")), None)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; every outcome, including an error, is an :class:`ExitCode`."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        parser = build_parser(arguments)
        try:
            args = parser.parse_args(arguments)
        except SystemExit as done:  # --help, or a usage error argparse already printed
            return done.code if isinstance(done.code, int) else ExitCode.BAD_INPUT
        handler: Handler = args.handler
        return int(handler(args))
    except BadInput as error:
        return _fail(ExitCode.BAD_INPUT, f"error: {error}")
    except KeyboardInterrupt:
        return ExitCode.INTERRUPTED
    except BrokenPipeError:  # `graderlib ... | head`
        return ExitCode.OK
    except Exception as error:  # the promise: never a traceback to the user
        return _fail(ExitCode.INTERNAL, f"internal error: {type(error).__name__}: {error}")


def _fail(code: ExitCode, message: str) -> int:
    """The one place a command's error reaches the user."""
    print(f"graderlib: {message}", file=sys.stderr)
    return code


__all__ = ["COMMANDS", "BadInput", "Command", "ExitCode", "build_parser", "main"]
