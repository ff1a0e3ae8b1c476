"""``graderlib scorecard [DIRS...] [--agents a,b] [--json]``: baseline agents over a corpus."""

from __future__ import annotations

import argparse
import json

from graderlib.agents import AGENTS
from graderlib.cli.base import BadInput, ExitCode, Subparsers, load_task_arg
from graderlib.scorecard import scorecard
from graderlib.task import default_tasks_dir, find_task_dirs


def register(commands: Subparsers) -> None:
    parser = commands.add_parser(
        "scorecard", help="baseline agents' scores and TPR/FPR per category"
    )
    parser.add_argument("dirs", nargs="*", help="task directories or roots (default: tasks/)")
    parser.add_argument(
        "--agents", default=",".join(AGENTS), help=f"comma-separated, from {', '.join(AGENTS)}"
    )
    parser.add_argument("--json", action="store_true")
    parser.set_defaults(handler=cmd_scorecard)


def cmd_scorecard(args: argparse.Namespace) -> ExitCode:
    agents = [a.strip() for a in args.agents.split(",") if a.strip()]
    unknown = [a for a in agents if a not in AGENTS]
    if unknown or not agents:
        raise BadInput(
            f"--agents: unknown agent(s) {', '.join(unknown) or '(none)'}; "
            f"choose from {', '.join(AGENTS)}"
        )
    roots = args.dirs or [str(default_tasks_dir())]
    directories = find_task_dirs(roots)
    if not directories:
        raise BadInput(f"no task.toml found under {', '.join(roots)}")
    cards = scorecard([load_task_arg(d) for d in directories], agents)
    if args.json:
        print(json.dumps([c.model_dump() for c in cards], indent=2))
        return ExitCode.OK
    for card in cards:
        print(
            f"{card.agent:<8} mean score {card.mean_score:.3f}   mean Youden "
            f"{card.mean_youden:+.3f}   over {card.tasks} tasks"
        )
    return ExitCode.OK
