"""``graderlib tasks generate --seed N --count K [--engine local|ray] OUT_DIR``: write tasks."""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from graderlib.evaluate.engine import EngineError, add_engine_arguments, engine_from_args
from graderlib.generate.generator import MAX_COUNT, generate_tasks, write_tasks

EXIT_OK, EXIT_BAD_INPUT = 0, 2


def add_generate_parser(task_commands: Any) -> None:
    """Register ``generate`` on the ``graderlib tasks`` subcommands."""
    parser = task_commands.add_parser(
        "generate",
        help="write procedurally generated tasks (known bugs injected into clean modules)",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    parser.add_argument("out_dir", help="directory to write task directories into")
    parser.add_argument("--seed", type=int, default=0, help="same seed, same tasks (default 0)")
    parser.add_argument("--count", type=int, default=20, help=f"how many tasks (1..{MAX_COUNT})")
    add_engine_arguments(parser)
    parser.set_defaults(handler=cmd_generate)


def cmd_generate(args: argparse.Namespace) -> int:
    if not 1 <= args.count <= MAX_COUNT:
        print(f"graderlib: error: --count must be between 1 and {MAX_COUNT}", file=sys.stderr)
        return EXIT_BAD_INPUT
    out = Path(args.out_dir)
    if out.exists() and not out.is_dir():
        print(f"graderlib: error: {out} exists and is not a directory", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        engine = engine_from_args(args)
        tasks = generate_tasks(args.seed, args.count, engine=engine)
    except EngineError as error:
        print(f"graderlib: error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    write_tasks(tasks, out)
    levels = Counter(t.difficulty for t in tasks)
    with_tests = sum(t.tests is not None for t in tasks)
    print(
        f"wrote {len(tasks)} task(s) to {out} (seed {args.seed}): "
        + ", ".join(f"{levels[d]} {d}" for d in ("easy", "medium", "hard"))
        + f"; {with_tests} with tests"
    )
    return EXIT_OK
