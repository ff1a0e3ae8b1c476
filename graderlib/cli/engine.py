"""``--engine``, ``--address`` and ``--jobs``: where a corpus-scale command runs its work.

Commands that apply one function per task (``scorecard``, ``tasks generate``, ``infer``) share
these options and the progress bar, so they read and fail alike; the engines themselves live in
:mod:`graderlib.evaluate.engine`.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from graderlib.cli.base import BadInput
from graderlib.evaluate.engine import ENGINES, Engine, Progress, make_engine


def add_engine_arguments(parser: argparse.ArgumentParser) -> None:
    """Add the three options to a command's parser."""
    parser.add_argument(
        "--engine",
        choices=ENGINES,
        default="local",
        help="where the per-task work runs (default: local; ray needs graderlib[ray])",
    )
    parser.add_argument(
        "--address",
        default=None,
        help="the Ray cluster to join (e.g. auto, HEAD:6379, ray://HEAD:10001); default: "
        "$RAY_ADDRESS or a local Ray",
    )
    parser.add_argument(
        "--jobs",
        type=int,
        default=1,
        help="worker processes for the local engine (default 1: this process)",
    )


def engine_from_args(args: argparse.Namespace) -> Engine:
    """The engine the options ask for; BadInput names the option that does not fit."""
    if args.jobs < 1:
        raise BadInput(f"--jobs must be at least 1, got {args.jobs}")
    if args.engine == "ray" and args.jobs != 1:
        raise BadInput("--jobs is for --engine local; Ray uses the cluster's CPUs")
    if args.engine == "local" and args.address is not None:
        raise BadInput("--address is for --engine ray")
    return make_engine(args.engine, jobs=args.jobs, address=args.address)


@contextmanager
def progress_bars() -> Iterator[Callable[[str, int], Progress | None]]:
    """A rich progress bar on stderr when it is a terminal; nothing at all when piped."""
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, TimeRemainingColumn
    from rich.progress import Progress as ProgressBar

    console = Console(stderr=True)
    if not console.is_terminal:
        yield lambda _label, _total: None
        return
    with ProgressBar(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    ) as bar:

        def track(label: str, total: int) -> Progress | None:
            task = bar.add_task(label, total=total)
            return lambda done: bar.update(task, completed=done)

        yield track
