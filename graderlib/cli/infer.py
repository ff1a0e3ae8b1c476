"""``graderlib infer``: an agent plays episodes of the environment; the run becomes a file.

In process, ``--engine ray [--address ADDR]`` (or ``--jobs N``) plays each task's episodes as one
Ray task (or pool item) that loads the environment itself; results come back in task order with
a progress bar, and the file is the one a local run writes. Over ``--env-url`` the server runs
the sessions, so an engine would add nothing but hops: that combination is bad input, and
``--concurrency`` is the way to play more sessions of a server at once.

Exit codes: 0 every episode finished without an error, 1 some did not (the file says why), 2
bad input (unknown agent, no model, unreadable tasks or template, no session could be opened,
a model server that cannot serve: the file holds what finished), 130 Ctrl-C (likewise).
"""

from __future__ import annotations

import argparse
import json
import re
import urllib.error
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

from graderlib.catalog import SPLITS
from graderlib.cli.base import BadInput, ExitCode, Subparsers
from graderlib.cli.engine import add_engine_arguments, engine_from_args, progress_bars
from graderlib.settings import Settings, SettingsError

if TYPE_CHECKING:
    from graderlib.evaluate.infer import EpisodeSpec
    from graderlib.evaluate.llm import LLMSettings
    from graderlib.evaluate.sessions import Sessions
    from graderlib.task import Task

IN_PROCESS_RUNNER = "env.server.runner:InProcessSessions"
"""The in-process transport, named by reference: graderlib does not import the environment."""


def _llm_settings(args: argparse.Namespace) -> LLMSettings:
    from graderlib.evaluate.llm import LLMSettings, TemplateError

    overrides: dict[str, Any] = {
        "model": args.model,
        "temperature": args.temperature,
        "seed": args.seed,
        "max_retries": args.max_retries,
        "max_hints": args.hints,
        "patch": args.patch,
    }
    for option, key in (("prompt", "review_template"), ("patch_prompt", "patch_template")):
        path = getattr(args, option)
        if path is not None:
            try:
                overrides[key] = Path(path).read_text(encoding="utf-8")
            except OSError as error:
                flag = "--" + option.replace("_", "-")
                raise BadInput(f"cannot read {flag} {path}: {error}") from None
    try:
        return LLMSettings.from_env(**overrides)
    except (TemplateError, ValueError) as error:
        raise BadInput(" ".join(str(error).split())) from None


def _local_tasks(args: argparse.Namespace) -> list[Task] | None:
    """The tasks the run holds: ``--tasks``, or in-process the environment's own directory."""
    from graderlib.task import TaskLoadError, default_tasks_dir, load_tasks

    if args.tasks is None and args.env_url:
        return None
    root = Path(args.tasks or Settings.from_env().tasks_dir or default_tasks_dir())
    if not root.is_dir():
        raise BadInput(f"--tasks {root}: not a directory")
    try:
        tasks = load_tasks(root, split=args.split)
    except TaskLoadError as error:
        raise BadInput(str(error)) from None
    if not tasks:
        raise BadInput(f"no task in {root}" + (f" in split {args.split!r}" if args.split else ""))
    return tasks[: args.count] if args.count else tasks


def _server_task_ids(url: str, split: str | None, count: int | None) -> list[str]:
    """Public task ids from the server's ``GET /tasks`` (for a run without the corpus)."""
    http_url = re.sub(r"^ws(s?)://", r"http\1://", url.rstrip("/"))
    try:
        with urllib.request.urlopen(http_url + "/tasks", timeout=30) as response:
            listing = json.loads(response.read())
    except (OSError, urllib.error.URLError, ValueError) as error:
        raise BadInput(f"cannot list the tasks of {url} (GET /tasks): {error}") from None
    ids = [
        str(t["id"])
        for t in listing.get("tasks", [])
        if isinstance(t, dict) and (split is None or t.get("split") == split)
    ]
    if not ids:
        where = f" in split {split!r}" if split else ""
        raise BadInput(f"the server at {url} offers no task{where}")
    return ids[:count] if count else ids


def _sessions(args: argparse.Namespace, tasks: list[Task] | None) -> Sessions:
    from graderlib.evaluate.sessions import (
        RunnerError,
        WebSocketSessions,
        load_in_process_sessions,
    )

    if args.env_url:
        return WebSocketSessions(args.env_url)
    try:
        return load_in_process_sessions(args.runner, args.app_dir, tasks)
    except RunnerError as error:
        raise BadInput(str(error)) from None


def _specs(args: argparse.Namespace, tasks: list[Task] | None) -> list[EpisodeSpec]:
    from graderlib.evaluate.infer import episode_specs

    if tasks is not None:
        return episode_specs(tasks=tasks, episodes=args.episodes)
    return episode_specs(
        task_ids=_server_task_ids(args.env_url, args.split, args.count), episodes=args.episodes
    )


def cmd_infer(args: argparse.Namespace) -> ExitCode:
    try:
        args.env_url = args.env_url or Settings.from_env().env_base_url
    except SettingsError as error:
        raise BadInput(str(error)) from None
    from graderlib.evaluate.engine import EngineError, LocalEngine
    from graderlib.evaluate.infer import run_inference, run_inference_on
    from graderlib.evaluate.policies import player
    from graderlib.evaluate.sessions import SessionError

    engine = engine_from_args(args)
    scaled_out = not (isinstance(engine, LocalEngine) and engine.jobs == 1)
    if scaled_out and args.env_url:
        raise BadInput(
            "--engine ray and --jobs play in-process sessions; against --env-url (or "
            "ENV_BASE_URL) the server runs them: use --concurrency instead"
        )
    if args.agent != "llm" and args.tasks is None and args.env_url:
        raise BadInput(
            f"agent {args.agent!r} needs the tasks themselves: pass --tasks DIR with the tasks "
            "the server serves (only the llm agent plays from observations alone)"
        )
    settings = _llm_settings(args) if args.agent == "llm" else None
    try:
        chosen = player(args.agent, settings)
    except ValueError as error:
        raise BadInput(str(error)) from None
    tasks = _local_tasks(args)
    specs = _specs(args, tasks)
    sessions = _sessions(args, tasks)
    out = Path(args.out)
    trajectories = Path(args.trajectories) if args.trajectories else None
    try:
        if scaled_out:
            with progress_bars() as track:
                results = run_inference_on(
                    engine,
                    chosen,
                    sessions,
                    specs,
                    agent=args.agent,
                    llm_settings=settings,
                    runner=args.runner,
                    app_dir=str(Path(args.app_dir).resolve()),
                    concurrency=args.concurrency,
                    episodes_per_task=args.episodes,
                    out=out,
                    trajectories=trajectories,
                    progress=track("tasks", len({s.label for s in specs})),
                )
        else:
            results = run_inference(
                chosen,
                sessions,
                specs,
                concurrency=args.concurrency,
                episodes_per_task=args.episodes,
                out=out,
                trajectories=trajectories,
            )
    except (SessionError, EngineError) as error:
        raise BadInput(str(error)) from None
    except KeyboardInterrupt:
        print(f"interrupted: what finished is in {out}")
        return ExitCode.INTERRUPTED
    if results.aborted:
        raise BadInput(f"{results.aborted} (the run stopped; what finished is in {out})")
    summary = results.summary
    mean_score = "-" if summary.mean_score is None else f"{summary.mean_score:.3f}"
    print(
        f"{summary.episodes_finished}/{summary.episodes_planned} episode(s) finished, "
        f"mean score {mean_score}, {summary.patches_resolved} patch(es) resolved, "
        f"{summary.errors} with errors -> {out}"
    )
    for result in results.results:
        if result.error:
            print(f"  episode {result.episode} ({result.task_id}): {result.error}")
    return ExitCode.OK if results.complete and not summary.errors else ExitCode.FAILED


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{value} must be at least 1")
    return value


def register(commands: Subparsers) -> None:
    parser = commands.add_parser(
        "infer",
        help="an agent (a chat model or a baseline) plays episodes; writes inference_results.json",
        description=(
            "Run episodes of the code-review environment over /ws (--env-url or ENV_BASE_URL) "
            "or in process. The llm agent reads API_BASE_URL, MODEL_NAME and OPENAI_API_KEY."
        ),
    )
    parser.add_argument("--agent", default="llm", help="llm, or a baseline: oracle, static, ...")
    parser.add_argument(
        "--env-url",
        default=None,
        help="the environment server (default: $ENV_BASE_URL; none: run in process)",
    )
    parser.add_argument("--tasks", help="a task directory the run holds (reset by task id)")
    parser.add_argument("--split", choices=SPLITS, help="only tasks of this split")
    parser.add_argument("--count", type=_positive, help="only the first N tasks")
    parser.add_argument("--episodes", type=_positive, default=1, help="episodes per task (1)")
    parser.add_argument("--concurrency", type=_positive, default=1, help="sessions at once (1)")
    parser.add_argument("--out", default="inference_results.json", help="the results file")
    parser.add_argument("--trajectories", help="also write every step as JSONL to this file")
    model = parser.add_argument_group("llm agent")
    model.add_argument("--model", help="the model (default: $MODEL_NAME)")
    model.add_argument("--temperature", type=float, default=0.0)
    model.add_argument(
        "--seed", type=int, help="sent with every request (plus k in a task's k-th episode)"
    )
    model.add_argument("--max-retries", type=int, default=2, help="re-asks of a malformed answer")
    model.add_argument("--hints", type=int, default=0, help="hints an episode may take (0)")
    model.add_argument("--patch", action="store_true", help="propose a patch for the findings")
    model.add_argument("--prompt", help="a review prompt template (graderlib.evaluate.llm)")
    model.add_argument("--patch-prompt", help="a patch prompt template file")
    add_engine_arguments(parser)
    local = parser.add_argument_group("in-process environment")
    local.add_argument("--runner", default=IN_PROCESS_RUNNER, help=argparse.SUPPRESS)
    local.add_argument(
        "--app-dir", default=".", help="where the environment's code (env/) is importable from"
    )
    parser.set_defaults(handler=cmd_infer)
