"""The ``graderlib`` command.

Exit codes are a contract for CI: 0 success, 1 a check failed (a lint error, a patch that does
not resolve), 2 bad input (a message on stderr, never a traceback), 3 an internal error.
Subcommands owned by other modules register themselves through ``add_*_parser`` functions, so
this file only routes.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import NoReturn, TypeAlias

from graderlib.findings import FindingsError, load_findings
from graderlib.grading import grade
from graderlib.scoring import GradeReport
from graderlib.task import Task, TaskLoadError, default_tasks_dir, find_task_dirs, load_task

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERNAL = 0, 1, 2, 3

Handler = Callable[[argparse.Namespace], int]


class BadInput(Exception):
    """Raised by a command for input it cannot use; becomes exit code 2 with the message."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def _load(path: str) -> Task:
    try:
        return load_task(path)
    except TaskLoadError as error:
        raise BadInput(str(error)) from None


# ------------------------------------------------------------------------------- grade


def _print_report(report: GradeReport) -> None:
    print(
        f"task {report.task_id}: score {report.score:.3f} "
        f"({report.issues_found}/{report.issues_total} issues found)"
    )
    for verdict in report.verdicts:
        print(
            f"  #{verdict.index} line {verdict.line} {verdict.category}: {verdict.status} "
            f"({verdict.points:+.3f}) {verdict.reason}"
        )
    for issue in report.missed:
        print(f"  missed {issue.id} [{issue.category}, {issue.severity}] at line {issue.span}")
    c = report.components
    print(
        f"  recall {c.recall:.3f} (line bonus {c.line_bonus:.3f}), penalties: "
        f"false positives {c.false_positive_penalty:.3f}, ok marks {c.ok_violation_penalty:.3f}, "
        f"duplicates {c.duplicate_penalty:.3f}, vague {c.vague_penalty:.3f}"
    )


def cmd_grade(args: argparse.Namespace) -> int:
    task = _load(args.task_dir)
    try:
        findings = load_findings(args.findings)
    except FindingsError as error:
        raise BadInput(str(error)) from None
    report = grade(task, findings)
    if args.redacted:
        report = report.redacted()
    if args.json:
        print(report.model_dump_json(indent=2))
    else:
        _print_report(report)
    return EXIT_OK


# ------------------------------------------------------------------------------- tasks


def _confirm_lines(task: Task) -> list[str]:
    try:
        confirm_task = importlib.import_module("graderlib.detectors.confirm").confirm_task
    except ImportError:
        return ["  (confirm: detectors are not available)"]
    lines = []
    for result in confirm_task(task):
        if not result.confirmed:
            lines.append(
                f"  info: {task.id}: issue {result.issue_id!r} ({result.category}) "
                f"is not found by any detector at its span"
            )
    return lines


def _reference_fix_problems(task: Task) -> list[str]:
    try:
        check_reference_fix = importlib.import_module("graderlib.verify").check_reference_fix
    except ImportError:
        return []
    return list(check_reference_fix(task))


def cmd_tasks_lint(args: argparse.Namespace) -> int:
    roots = args.dirs or [str(default_tasks_dir())]
    directories = find_task_dirs(roots)
    if not directories:
        raise BadInput(f"no task.toml found under {', '.join(roots)}")
    errors = 0
    ids: dict[str, Path] = {}
    for directory in directories:
        try:
            task = load_task(directory)
        except TaskLoadError as error:
            print(f"error: {error}")
            errors += 1
            continue
        if task.id in ids:
            print(f"error: {directory}: task id {task.id!r} also used by {ids[task.id]}")
            errors += 1
        ids[task.id] = directory
        if not args.no_tests and task.tests_path is not None:
            for problem in _reference_fix_problems(task):
                print(f"error: {directory}: {problem}")
                errors += 1
        if args.confirm:
            for line in _confirm_lines(task):
                print(line)
    print(f"{len(directories)} task(s), {errors} error(s)")
    return EXIT_FAILED if errors else EXIT_OK


def cmd_tasks_show(args: argparse.Namespace) -> int:
    task = _load(args.task_dir)
    print(f"# {task.id}: {task.title} [{task.difficulty}]")
    print(task.description)
    print()
    print(task.numbered_source())
    if args.answers:
        print()
        for issue in task.issues:
            print(
                f"expect {issue.id}: {', '.join(issue.categories)} [{issue.severity}] "
                f"lines {issue.span} ({issue.scope})"
            )
        for mark in task.clean:
            print(f"ok: {', '.join(mark.categories)} lines {mark.span} ({mark.scope})")
    return EXIT_OK


def cmd_tasks_list(args: argparse.Namespace) -> int:
    rows = []
    for directory in find_task_dirs(args.dirs or [str(default_tasks_dir())]):
        task = _load(str(directory))
        rows.append(
            {
                "id": task.id,
                "difficulty": task.difficulty,
                "categories": sorted({i.category for i in task.issues}),
                "issues": len(task.issues),
                "lines": task.line_count,
                "tests": task.has_tests,
                "split": task.split,
            }
        )
    if args.json:
        print(json.dumps(rows, indent=2))
        return EXIT_OK
    for row in rows:
        categories = ", ".join(row["categories"]) or "(clean)"  # type: ignore[arg-type]
        tests = "tests" if row["tests"] else "-"
        print(
            f"{row['id']:<40} {row['difficulty']:<7} {row['lines']:>4} lines  {tests:<5} "
            f"{categories}"
        )
    return EXIT_OK


# ------------------------------------------------------------------------------ wiring


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The full parser; with ``argv``, only the optional module its command needs is imported."""
    parser = _Parser(prog="graderlib", description=__doc__.splitlines()[0] if __doc__ else None)
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    grade_parser = commands.add_parser("grade", help="grade findings against a task")
    grade_parser.add_argument("task_dir")
    grade_parser.add_argument("findings", help="findings as .json or SARIF 2.1.0 (.sarif)")
    grade_parser.add_argument("--json", action="store_true", help="print the report as JSON")
    grade_parser.add_argument(
        "--redacted",
        action="store_true",
        help="leave out unfound ground truth, as an agent would see it",
    )
    grade_parser.set_defaults(handler=cmd_grade)

    tasks = commands.add_parser("tasks", help="lint, list, show or generate tasks")
    task_commands = tasks.add_subparsers(dest="tasks_command", required=True, parser_class=_Parser)
    lint = task_commands.add_parser("lint", help="load every task and report every error")
    lint.add_argument("dirs", nargs="*", help="task directories or roots (default: tasks/)")
    lint.add_argument(
        "--confirm",
        action="store_true",
        help="also report issues no detector finds at their span (information)",
    )
    lint.add_argument(
        "--no-tests", action="store_true", help="skip running task tests and reference fixes"
    )
    lint.set_defaults(handler=cmd_tasks_lint)
    show = task_commands.add_parser("show", help="print a task as the agent sees it")
    show.add_argument("task_dir")
    show.add_argument("--answers", action="store_true", help="also print the ground truth")
    show.set_defaults(handler=cmd_tasks_show)
    listing = task_commands.add_parser("list", help="one line per task")
    listing.add_argument("dirs", nargs="*")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=cmd_tasks_list)

    _register_optional(commands, task_commands, _requested_command(argv))
    return parser


def _requested_command(argv: Sequence[str] | None) -> tuple[str, ...] | None:
    """``("tasks", "generate")`` for ``graderlib tasks generate ...``; None means all (help)."""
    words = [a for a in (argv or []) if not a.startswith("-")]
    return tuple(words[:2]) if words else None


Subparsers: TypeAlias = "argparse._SubParsersAction[_Parser]"


def _register_optional(
    commands: Subparsers, task_commands: Subparsers, requested: tuple[str, ...] | None
) -> None:
    """Subcommands whose modules live elsewhere; each registers its own arguments.

    Their modules are heavy (libcst matchers, bandit, the sandbox), so a command imports only
    the one it runs; ``--help`` and unknown commands import them all to list them.
    """
    registrations: list[tuple[tuple[str, ...], str, str, Subparsers]] = [
        (("scan",), "graderlib.scan_cli", "add_scan_parser", commands),
        (("verify-patch",), "graderlib.verify_cli", "add_verify_parser", commands),
        (("scorecard",), "graderlib.scorecard", "add_scorecard_parser", commands),
        (("infer",), "graderlib.infer_cli", "add_infer_parser", commands),
        (("trajectories",), "graderlib.trajectories_cli", "add_trajectories_parser", commands),
        (("tasks", "generate"), "graderlib.generate.cli", "add_generate_parser", task_commands),
    ]
    known = {"grade", "tasks", *(command[0] for command, *_ in registrations)}
    for command, module_name, function_name, target in registrations:
        needed = (
            requested is None
            or requested[0] not in known  # let argparse's error list every command
            or requested[: len(command)] == command
            or requested == command[:1]  # `graderlib tasks --help` lists `generate`
        )
        if not needed:
            continue
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name and module_name.startswith(error.name):
                continue
            raise
        getattr(module, function_name)(target)


def main(argv: Sequence[str] | None = None) -> int:
    try:
        parser = build_parser(sys.argv[1:] if argv is None else argv)
    except Exception as error:  # a broken optional module must not print a traceback
        print(f"graderlib: internal error: {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_INTERNAL
    args = parser.parse_args(argv)
    handler: Handler = args.handler
    try:
        return handler(args)
    except BadInput as error:
        print(f"graderlib: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return EXIT_OK
    except Exception as error:  # the promise: never a traceback to the user
        print(f"graderlib: internal error: {type(error).__name__}: {error}", file=sys.stderr)
        return EXIT_INTERNAL


if __name__ == "__main__":
    # Run the imported module, not __main__: subcommand modules raise graderlib.cli.BadInput,
    # which must be the class main() catches.
    from graderlib.cli import main as _main

    raise SystemExit(_main())
