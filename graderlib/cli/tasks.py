"""``graderlib tasks {lint,show,list,generate}``: check, read and make task directories.

``generate`` takes ``--engine {local,ray} [--address A] [--jobs N]`` (:mod:`graderlib.cli.engine`).
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

from graderlib.cli.base import BadInput, ExitCode, Parser, Subparsers, load_task_arg
from graderlib.cli.engine import add_engine_arguments, engine_from_args
from graderlib.evaluate.engine import EngineError
from graderlib.task import Task, TaskLoadError, default_tasks_dir, find_task_dirs, load_task


def register(commands: Subparsers) -> None:
    tasks = commands.add_parser("tasks", help="lint, list, show or generate tasks")
    task_commands = tasks.add_subparsers(dest="tasks_command", required=True, parser_class=Parser)

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
    lint.set_defaults(handler=cmd_lint)

    show = task_commands.add_parser("show", help="print a task as the agent sees it")
    show.add_argument("task_dir")
    show.add_argument("--answers", action="store_true", help="also print the ground truth")
    show.set_defaults(handler=cmd_show)

    listing = task_commands.add_parser("list", help="one line per task")
    listing.add_argument("dirs", nargs="*")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=cmd_list)

    generate = task_commands.add_parser(
        "generate",
        help="write procedurally generated tasks (known bugs injected into clean modules)",
        description="Write generated tasks to disk: the same seed gives the same tasks.",
    )
    generate.add_argument("out_dir", help="directory to write task directories into")
    generate.add_argument("--seed", type=int, default=0, help="same seed, same tasks (default 0)")
    generate.add_argument("--count", type=int, default=20, help="how many tasks (default 20)")
    add_engine_arguments(generate)
    generate.set_defaults(handler=cmd_generate)


# ------------------------------------------------------------------------------- lint


def cmd_lint(args: argparse.Namespace) -> ExitCode:
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
    return ExitCode.FAILED if errors else ExitCode.OK


def _reference_fix_problems(task: Task) -> list[str]:
    """Problems with the task's tests and reference fix; a check that cannot run is one."""
    try:
        from graderlib.verify import check_reference_fix
    except ImportError as error:
        return [f"cannot check the tests and reference fix ({error}); --no-tests skips them"]
    return list(check_reference_fix(task))


def _confirm_lines(task: Task) -> list[str]:
    from graderlib.detectors.confirm import confirm_task  # libcst matchers and bandit: lazy

    return [
        f"  info: {task.id}: issue {result.issue_id!r} ({result.category}) "
        f"is not found by any detector at its span"
        for result in confirm_task(task)
        if not result.confirmed
    ]


# ------------------------------------------------------------------------------- show, list


def cmd_show(args: argparse.Namespace) -> ExitCode:
    task = load_task_arg(args.task_dir)
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
    return ExitCode.OK


def cmd_list(args: argparse.Namespace) -> ExitCode:
    tasks = [load_task_arg(d) for d in find_task_dirs(args.dirs or [str(default_tasks_dir())])]
    if args.json:
        rows = [
            {
                "id": task.id,
                "difficulty": task.difficulty,
                "categories": sorted({i.category for i in task.issues}),
                "issues": len(task.issues),
                "lines": task.line_count,
                "tests": task.has_tests,
                "split": task.split,
            }
            for task in tasks
        ]
        print(json.dumps(rows, indent=2))
        return ExitCode.OK
    for task in tasks:
        categories = ", ".join(sorted({i.category for i in task.issues})) or "(clean)"
        tests = "tests" if task.has_tests else "-"
        print(
            f"{task.id:<40} {task.difficulty:<7} {task.line_count:>4} lines  {tests:<5} "
            f"{categories}"
        )
    return ExitCode.OK


# ------------------------------------------------------------------------------- generate


def cmd_generate(args: argparse.Namespace) -> ExitCode:
    # the generator costs ~1 s to import; only this command pays for it
    from graderlib.generate.generator import MAX_COUNT, generate_tasks, write_tasks

    if not 1 <= args.count <= MAX_COUNT:
        raise BadInput(f"--count must be between 1 and {MAX_COUNT}, not {args.count}")
    out = Path(args.out_dir)
    if out.exists() and not out.is_dir():
        raise BadInput(f"{out} exists and is not a directory")
    engine = engine_from_args(args)
    try:
        tasks = generate_tasks(args.seed, args.count, engine=engine)
    except EngineError as error:
        raise BadInput(str(error)) from None
    write_tasks(tasks, out)
    levels = Counter(t.difficulty for t in tasks)
    with_tests = sum(t.tests is not None for t in tasks)
    print(
        f"wrote {len(tasks)} task(s) to {out} (seed {args.seed}): "
        + ", ".join(f"{levels[d]} {d}" for d in ("easy", "medium", "hard"))
        + f"; {with_tests} with tests"
    )
    return ExitCode.OK
