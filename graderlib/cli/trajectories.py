"""``graderlib trajectories summarize|export FILE...``: what a run's trajectories say, and a
training table made of them.

Exit codes: 0 done, 2 bad input (a missing or malformed file, nothing to export, Parquet
without pyarrow).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from graderlib.cli.base import BadInput, ExitCode, Parser, Subparsers


def cmd_summarize(args: argparse.Namespace) -> ExitCode:
    from graderlib.evaluate.trajectories import TrajectoryError, format_summary, summarize

    try:
        summary = summarize([Path(f) for f in args.files])
    except TrajectoryError as error:
        raise BadInput(str(error)) from None
    if args.json:
        print(json.dumps(summary.model_dump(mode="json"), indent=2))
    else:
        print(format_summary(summary))
    return ExitCode.OK


def cmd_export(args: argparse.Namespace) -> ExitCode:
    from graderlib.evaluate.trajectories import TrajectoryError, export

    try:
        target = export([Path(f) for f in args.files], Path(args.out), args.format)
    except TrajectoryError as error:
        raise BadInput(str(error)) from None
    print(f"wrote {target}")
    return ExitCode.OK


def register(commands: Subparsers) -> None:
    parser = commands.add_parser(
        "trajectories", help="summarize or export the trajectories `graderlib infer` recorded"
    )
    actions = parser.add_subparsers(dest="trajectories_command", required=True, parser_class=Parser)
    summary = actions.add_parser(
        "summarize",
        help="per task and overall: first vs final score, false positives, hints, patches",
    )
    summary.add_argument("files", nargs="+", help="trajectory .jsonl files")
    summary.add_argument("--json", action="store_true", help="print the summary as JSON")
    summary.set_defaults(handler=cmd_summarize)
    export = actions.add_parser(
        "export", help="a prompt/completion/reward table for Hugging Face datasets"
    )
    export.add_argument("files", nargs="+", help="trajectory .jsonl files")
    export.add_argument("--out", required=True, help="the output directory")
    export.add_argument("--format", choices=("parquet", "jsonl"), default="parquet")
    export.set_defaults(handler=cmd_export)
