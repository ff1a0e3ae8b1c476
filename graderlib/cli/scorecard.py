"""``graderlib scorecard``: any tool's output, or any agent, scored over a labelled corpus.

    graderlib scorecard [DIR ...] [--findings FILE|DIR ...] [--agent NAME ...] [--strict]
                        [--equivalence STATED=EXPECTED ...] [--json] [--html OUT.html]
                        [--engine local|ray] [--address ADDR] [--jobs N]

Exit codes: 0 the cards were printed, 2 bad input (a message naming the file or option).
The work runs where ``--engine``/``--jobs`` say (:mod:`graderlib.cli.engine`).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

from graderlib.cli.base import BadInput, ExitCode, Subparsers
from graderlib.cli.engine import add_engine_arguments, engine_from_args, progress_bars
from graderlib.evaluate.engine import Engine, EngineError
from graderlib.evaluate.html import render_html
from graderlib.evaluate.mapping import Corpus, map_results, read_tool_output
from graderlib.evaluate.scorecard import (
    Mode,
    Scorecard,
    StrictRules,
    parse_equivalence,
    score_agent,
    score_output,
)
from graderlib.findings import FindingsError
from graderlib.task import Task, TaskLoadError, default_tasks_dir, find_task_dirs, load_task


def _agents(values: Sequence[str], with_findings: bool) -> list[str]:
    """The agents asked for; without any (and no --findings), every offline agent."""
    from graderlib.agents import AGENTS

    names = [name.strip() for value in values for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in AGENTS]
    if unknown:
        raise BadInput(
            f"--agent: unknown agent(s) {', '.join(unknown)}; choose from {', '.join(AGENTS)}"
        )
    if names or with_findings:
        return names
    # Agents that call a model need a server and settings; those are named explicitly.
    return [name for name in AGENTS if name != "llm"]


def register(commands: Subparsers) -> None:
    parser = commands.add_parser(
        "scorecard",
        help="score a tool's output (SARIF/JSON/JSONL) or an agent over a corpus: "
        "TP/FN/FP/TN, TPR/FPR/Youden per category",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    parser.add_argument("dirs", nargs="*", help="task directories or roots (default: tasks/)")
    parser.add_argument(
        "--findings",
        action="append",
        default=[],
        metavar="[NAME=]PATH",
        help="a tool's output: .sarif, .json, .jsonl or a directory of them (repeat to compare "
        "tools on one chart)",
    )
    parser.add_argument(
        "--agent",
        "--agents",
        action="append",
        default=[],
        metavar="NAME",
        help="an agent by name (repeat, or comma-separate); default without --findings: every "
        "offline agent",
    )
    parser.add_argument(
        "--strict",
        action="store_true",
        help="count only an exact category or CWE (the tool's stated CWE first), as published "
        "scorecards do",
    )
    parser.add_argument(
        "--equivalence",
        action="append",
        default=[],
        metavar="STATED=EXPECTED",
        help="with --strict, also accept a stated CWE for an expected one (e.g. CWE-564=CWE-89)",
    )
    parser.add_argument(
        "--no-default-equivalences",
        action="store_true",
        help="with --strict, drop the built-in table (CWE-564 for CWE-89, CWE-327 for CWE-328)",
    )
    parser.add_argument("--json", action="store_true", help="print the card(s) as JSON")
    parser.add_argument("--html", metavar="OUT.html", help="write a self-contained HTML page")
    add_engine_arguments(parser)
    parser.set_defaults(handler=cmd_scorecard)


def _load_corpus(dirs: Sequence[str]) -> tuple[list[Task], list[Path]]:
    roots = [Path(d) for d in dirs] or [default_tasks_dir()]
    missing = [str(r) for r in roots if not r.exists()]
    if missing:
        raise ValueError(f"no such task directory: {', '.join(missing)}")
    directories = find_task_dirs(roots)
    if not directories:
        raise ValueError(f"no task.toml found under {', '.join(map(str, roots))}")
    return [load_task(d) for d in directories], roots


def _named(argument: str) -> tuple[str, Path]:
    name, separator, path = argument.partition("=")
    if separator and name and not Path(argument).exists():
        return name, Path(path)
    return Path(argument).name, Path(argument)


def _strict_rules(args: argparse.Namespace) -> StrictRules:
    rules = StrictRules({}) if args.no_default_equivalences else StrictRules()
    return rules.with_extra(parse_equivalence(text) for text in args.equivalence)


def _cards(args: argparse.Namespace, engine: Engine) -> list[Scorecard]:
    tasks, roots = _load_corpus(args.dirs)
    mode: Mode = "strict" if args.strict else "default"
    rules = _strict_rules(args)
    agents = _agents(args.agent, bool(args.findings))
    outputs = []
    for argument in args.findings:
        name, path = _named(argument)
        outputs.append((name, read_tool_output(path)))  # read every file before any grading
    corpus = Corpus(tasks, roots)
    cards = []
    with progress_bars() as track:
        for name, results in outputs:
            mapped = map_results(results, corpus)
            cards.append(
                score_output(
                    name,
                    mapped,
                    tasks,
                    mode=mode,
                    rules=rules,
                    engine=engine,
                    progress=track(name, len(tasks)),
                )
            )
        for agent in agents:
            cards.append(
                score_agent(
                    agent,
                    tasks,
                    mode=mode,
                    rules=rules,
                    engine=engine,
                    progress=track(agent, len(tasks)),
                )
            )
    return cards


def _print_card(card: Scorecard) -> None:
    o = card.overall

    def fmt(value: float | None) -> str:
        return "    -" if value is None else f"{value:5.3f}"

    print(f"{card.tool} ({card.mode}): {o.tasks} tasks, {o.results} results, {o.unmapped} unmapped")
    print(f"  average over categories: TPR {fmt(o.tpr)}  FPR {fmt(o.fpr)}  Youden {fmt(o.youden)}")
    print(
        f"  pooled: TP {o.tp} FN {o.fn} FP {o.fp} TN {o.tn} extra {o.extra}  "
        f"precision {fmt(o.precision)}  mean score {o.mean_score:.3f}"
    )
    print(f"  {'category':<28} {'TP':>4} {'FN':>4} {'FP':>4} {'TN':>4}   TPR   FPR  Youden")
    for c in card.categories.values():
        print(
            f"  {c.category:<28} {c.tp:>4} {c.fn:>4} {c.fp:>4} {c.tn:>4} "
            f"{fmt(c.tpr)} {fmt(c.fpr)} {fmt(c.youden)}"
        )
    for item in card.unmapped[:10]:
        print(f"  unmapped: {item['origin']}: {item['reason']}")
    if len(card.unmapped) > 10:
        print(f"  ... and {len(card.unmapped) - 10} more unmapped (see --json)")


def cmd_scorecard(args: argparse.Namespace) -> ExitCode:
    try:
        engine = engine_from_args(args)
        cards = _cards(args, engine)
    except (TaskLoadError, FindingsError, EngineError, ValueError) as error:
        raise BadInput(str(error)) from None
    if args.html:
        try:
            Path(args.html).write_text(render_html(cards), encoding="utf-8")
        except OSError as error:
            raise BadInput(f"{args.html}: cannot write ({error.strerror})") from None
    if args.json:
        documents = [card.as_json() for card in cards]
        print(json.dumps(documents[0] if len(documents) == 1 else documents, indent=2))
        return ExitCode.OK
    for card in cards:
        _print_card(card)
    if args.html:
        print(f"wrote {args.html}")
    return ExitCode.OK
