"""``graderlib infer``: an agent plays episodes of the environment; a run is a results file.

The loop is the one the OpenEnv hackathon checklist describes (a model against the environment,
``inference_results.json`` at the end), made reproducible: the file records the agent, the
model, every setting that changes what the model is asked, where the environment ran and
graderlib's version, next to each episode's final score, steps, hints, patch outcome and time.

Concurrency is asyncio: ``concurrency`` workers each hold one session (one ``/ws`` connection,
or one in-process environment) and play episodes from a shared queue, so model calls and
environment steps of different episodes overlap. Results keep the order of the episode list,
whatever order the episodes finish in.

**Scaled out** (:func:`run_inference_on`, ``infer --engine ray``), each task's episodes are one
item of an :class:`~graderlib.evaluate.engine.Engine`: a worker loads the in-process sessions
itself, plays them with the same loop as above and sends back their results and trajectory
lines, which the run keeps in task order; the file is the one a local run writes.

Ctrl-C stops the run and still writes the file, with the episodes that finished and
``"complete": false``; trajectory lines are flushed as each step happens, so the trajectory
of an interrupted episode is kept too (``trajectories summarize`` reports it as unfinished).
"""

from __future__ import annotations

import asyncio
import itertools
import json
import signal
import tempfile
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from statistics import mean
from typing import Any

from pydantic import BaseModel, Field

from graderlib.evaluate.engine import Engine, Progress
from graderlib.evaluate.llm import LLMError, LLMSettings
from graderlib.evaluate.policies import Decision, EpisodePolicy, Player, player
from graderlib.evaluate.sessions import (
    ActionRejected,
    EpisodeSession,
    SessionError,
    Sessions,
    StepOutcome,
    load_in_process_sessions,
)
from graderlib.evaluate.trajectories import TrajectoryWriter
from graderlib.task import Task

MAX_REJECTED_ACTIONS = 3
"""An episode whose agent sends this many refused actions is finalized (or abandoned)."""


def graderlib_version() -> str:
    try:
        return version("graderlib")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown"


@dataclass(frozen=True)
class EpisodeSpec:
    """One episode to play: what ``reset`` receives, and the local task when there is one."""

    index: int
    reset: dict[str, Any]
    task: Task | None = None
    repeat: int = 0

    @property
    def label(self) -> str | None:
        """The author id, when the run holds the corpus (never sent to the agent)."""
        return self.task.id if self.task is not None else None


def episode_specs(
    tasks: Sequence[Task] | None = None,
    task_ids: Sequence[str] = (),
    episodes: int = 1,
) -> list[EpisodeSpec]:
    """``episodes`` episodes of every task, task by task: local tasks are reset by author id
    (the environment must serve the same tasks), listed ones by the id given."""
    specs: list[EpisodeSpec] = []
    targets: list[tuple[dict[str, Any], Task | None]] = [
        ({"task_id": t.id}, t) for t in tasks or ()
    ]
    targets += [({"task_id": task_id}, None) for task_id in task_ids]
    for reset, task in targets:
        for repeat in range(episodes):
            specs.append(EpisodeSpec(len(specs), reset, task, repeat))
    return specs


class PatchRecord(BaseModel):
    attempts: int = 0
    resolved: bool = False


class EpisodeResult(BaseModel):
    """One episode, as the results file records it."""

    episode: int
    task: str | None = Field(description="The author id, when the run holds the tasks.")
    task_id: str | None = Field(description="The public id the environment showed.")
    repeat: int
    score: float | None = Field(description="The final episode score (None: never started).")
    steps: int = 0
    hints: int = 0
    findings: int = 0
    issues_found: int = 0
    issues_total: int = 0
    patch: PatchRecord = Field(default_factory=PatchRecord)
    finalized: bool = False
    done: bool = False
    rejected_actions: int = 0
    model_calls: int = 0
    malformed_answers: int = 0
    seconds: float = 0.0
    agent_seconds: float = 0.0
    env_seconds: float = 0.0
    session: int = 0
    error: str | None = Field(
        default=None,
        description="What failed around the agent (model server, session); such an episode "
        "is listed but left out of the mean score. Refused actions are counted, not errors.",
    )


class RunSummary(BaseModel):
    """Over the episodes that finished; ``mean_score`` leaves out those with an error."""

    episodes_planned: int
    episodes_finished: int
    mean_score: float | None
    patches_resolved: int
    hints: int
    errors: int


class InferenceResults(BaseModel):
    """``inference_results.json``."""

    graderlib_version: str
    run_id: str
    created: str
    agent: str
    model: str | None
    settings: dict[str, Any]
    environment: str
    episodes_per_task: int
    concurrency: int
    complete: bool
    seconds: float
    summary: RunSummary
    session_errors: list[str] = Field(
        default_factory=list, description="Sessions that could not be opened or broke."
    )
    aborted: str | None = Field(
        default=None, description="Why the run stopped early (a model server that cannot serve)."
    )
    results: list[EpisodeResult]


@dataclass
class _Run:
    player: Player
    sessions: Sessions
    writer: TrajectoryWriter | None
    run_id: str
    results: dict[int, EpisodeResult]
    session_errors: list[str]
    aborted: str | None = None


class _Episode:
    """One episode from reset to done, recording every step whatever goes wrong."""

    def __init__(self, run: _Run, session: EpisodeSession, spec: EpisodeSpec, worker: int):
        self.run, self.session, self.spec = run, session, spec
        self.result = EpisodeResult(
            episode=spec.index,
            task=spec.label,
            task_id=None,
            repeat=spec.repeat,
            score=None,
            session=worker,
        )
        self.meta = {"run": run.run_id, "episode": spec.index, "episode_id": uuid.uuid4().hex}
        run.results[spec.index] = self.result

    async def play(self) -> None:
        result, started = self.result, time.perf_counter()
        try:
            policy = self.run.player.policy(self.spec.task, self.spec.repeat)
            first = await self.session.reset(**self.spec.reset)
            observation, done = first.observation, first.done
            result.task_id = str(observation.get("task_id") or "") or None
            result.score = float(observation.get("score", 0.0))
            result.issues_total = int(observation.get("issues_total", 0))
            if self.run.writer:
                self.run.writer.write_reset(self.meta, observation, time.perf_counter() - started)
            while not done:
                # After a model failure or too many refused actions, the agent has no say:
                # the episode is finalized, and ends there even if that is refused too.
                forced = result.error is not None or result.rejected_actions >= MAX_REJECTED_ACTIONS
                tick = time.perf_counter()
                decision = (
                    Decision({"kind": "finalize"})
                    if forced
                    else await self._decide(policy, observation)
                )
                outcome = await self._send(decision, observation, time.perf_counter() - tick)
                if outcome is None and forced:
                    break
                if outcome is not None:
                    observation, done = outcome.observation, outcome.done
            result.done = done
        except (ActionRejected, ValueError) as error:
            result.error = str(error)
        except SessionError as error:  # this session is gone: the worker stops, others go on
            result.error = str(error)
            raise
        finally:
            result.seconds = round(time.perf_counter() - started, 4)
            result.agent_seconds = round(result.agent_seconds, 4)
            result.env_seconds = round(result.env_seconds, 4)

    async def _decide(self, policy: EpisodePolicy, observation: dict[str, Any]) -> Decision:
        try:
            return await policy.act(observation)
        except LLMError as error:
            self.result.error = str(error)
            if error.fatal:
                self.run.aborted = str(error)
            return Decision({"kind": "finalize"})

    async def _send(
        self, decision: Decision, before: dict[str, Any], agent_seconds: float
    ) -> StepOutcome | None:
        """Send one action; count and record it. None when the environment refused it."""
        result, action, turns = self.result, decision.action, decision.turns
        result.agent_seconds += agent_seconds
        result.model_calls += sum(t.attempts for t in turns)
        result.malformed_answers += sum(len(t.errors) for t in turns if t.purpose == "review")
        tick = time.perf_counter()
        rejection, outcome = None, None
        try:
            outcome = await self.session.step(action)
        except ActionRejected as error:
            rejection = str(error)
        env_seconds = time.perf_counter() - tick
        result.env_seconds += env_seconds
        if outcome is None:
            result.rejected_actions += 1
        else:
            result.steps += 1
            _count(result, str(action.get("kind")), action, outcome.observation)
        if self.run.writer:
            hints_before = len(before.get("hints") or ())
            hints = list(outcome.observation.get("hints") or ()) if outcome else []
            self.run.writer.write_step(
                self.meta,
                step=result.steps if outcome is not None else result.steps + 1,
                action=action,
                outcome=outcome,
                rejection=rejection,
                turns=[t.record() for t in turns],
                new_hint=hints[-1] if len(hints) > hints_before else None,
                agent_seconds=agent_seconds,
                env_seconds=env_seconds,
            )
        return outcome


def _count(
    result: EpisodeResult, kind: str, action: dict[str, Any], observation: dict[str, Any]
) -> None:
    result.score = float(observation.get("score", result.score or 0.0))
    result.issues_found = int(observation.get("issues_found", 0))
    result.issues_total = int(observation.get("issues_total", result.issues_total))
    result.patch.resolved = bool(observation.get("patch_resolved", False))
    if kind == "report":
        result.findings += len(action.get("findings") or ())
    elif kind == "hint":
        result.hints += 1
    elif kind == "patch":
        result.patch.attempts += 1
    elif kind == "finalize":
        result.finalized = True


async def _worker(run: _Run, queue: asyncio.Queue[EpisodeSpec], worker: int) -> None:
    session: EpisodeSession | None = None
    try:
        session = await run.sessions.open()
        while run.aborted is None:
            try:
                spec = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            await _Episode(run, session, spec, worker).play()
    finally:
        if session is not None:
            await session.aclose()


async def _run_all(run: _Run, specs: Sequence[EpisodeSpec], concurrency: int) -> None:
    queue: asyncio.Queue[EpisodeSpec] = asyncio.Queue()
    for spec in specs:
        queue.put_nowait(spec)
    workers = max(1, min(concurrency, len(specs)))
    tasks = [asyncio.ensure_future(_worker(run, queue, n)) for n in range(workers)]
    interrupted = _CtrlC(tasks)
    try:
        outcomes = await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        interrupted.disarm()
        await run.player.aclose()
    if interrupted.fired:
        raise KeyboardInterrupt
    failures = [o for o in outcomes if isinstance(o, BaseException)]
    unexpected = [f for f in failures if not isinstance(f, SessionError)]
    if unexpected:
        raise unexpected[0]
    run.session_errors.extend(str(f) for f in failures)
    if failures and not run.results:
        raise failures[0]


class _CtrlC:
    """Ctrl-C during a run: cancel the episodes in flight, and keep cancelling until they end.

    ``asyncio.run`` answers SIGINT by cancelling its main task once, and only if SIGINT still
    has Python's default handler when the run starts: a library loaded earlier in the process
    may have replaced it, and one cancellation that something on the way down absorbs would
    leave the run waiting out the model's answer. So the run takes SIGINT itself while it
    lasts, cancels every worker, and cancels again every 0.2 s until all have ended; the
    caller then sees a KeyboardInterrupt and writes what finished. A second Ctrl-C stops at
    once, as ``asyncio.run``'s does. A process started with SIGINT ignored (a background job
    of a non-interactive shell, ``nohup``) keeps ignoring it, as Python itself does. Off the
    main thread (a scaled-out worker) signals cannot be taken, and this does nothing.
    """

    def __init__(self, tasks: Sequence[asyncio.Future[None]]) -> None:
        self.fired = False
        self._tasks = tasks
        self._loop = asyncio.get_running_loop()
        self._armed = False
        self._previous: Any = signal.getsignal(signal.SIGINT)
        if self._previous is signal.SIG_IGN:
            return  # started with SIGINT ignored (a background job, nohup): it stays ignored
        try:
            self._loop.add_signal_handler(signal.SIGINT, self._on_ctrl_c)
            self._armed = True
        except (RuntimeError, ValueError, NotImplementedError):
            pass  # not the main thread, or no signals on this platform

    def _on_ctrl_c(self) -> None:
        if self.fired:
            raise KeyboardInterrupt  # the second press: stop now
        self.fired = True
        self._cancel_pending()

    def _cancel_pending(self) -> None:
        pending = [t for t in self._tasks if not t.done()]
        for task in pending:
            task.cancel()
        if pending:
            self._loop.call_later(0.2, self._cancel_pending)

    def disarm(self) -> None:
        """Give SIGINT back to whoever had it before the run."""
        if self._armed:
            self._loop.remove_signal_handler(signal.SIGINT)
            if self._previous is not None:  # None: set outside Python, nothing to give back
                signal.signal(signal.SIGINT, self._previous)
            self._armed = False


def run_inference(
    player: Player,
    sessions: Sessions,
    specs: Sequence[EpisodeSpec],
    *,
    concurrency: int = 1,
    episodes_per_task: int = 1,
    out: Path | None = None,
    trajectories: Path | None = None,
    run_id: str | None = None,
) -> InferenceResults:
    """Play every episode of ``specs``; write ``out`` (also when interrupted) and return it.

    Raises :class:`SessionError` when no session could be opened at all. A KeyboardInterrupt
    is re-raised after the partial results are written. ``run_id`` is given by a scaled-out
    run, whose workers each play part of one run.
    """
    run_id = run_id or uuid.uuid4().hex[:12]
    writer = TrajectoryWriter(trajectories, player.describe()) if trajectories else None
    run = _Run(player, sessions, writer, run_id, {}, [])
    created = datetime.now(UTC).isoformat(timespec="seconds")
    started = time.perf_counter()
    complete = False
    try:
        asyncio.run(_run_all(run, specs, concurrency))
        complete = True
    finally:
        if writer:
            writer.close()
        results = _conclude(
            run,
            specs,
            created=created,
            complete=complete,
            started=started,
            episodes_per_task=episodes_per_task,
            concurrency=concurrency,
            out=out,
        )
    return results


@dataclass(frozen=True)
class TaskEpisodes:
    """One engine item: a task's episodes and all a worker needs to play them on its own."""

    agent: str
    llm_settings: LLMSettings | None
    runner: str
    app_dir: str
    specs: tuple[EpisodeSpec, ...]
    run_id: str
    concurrency: int
    trajectories: bool


@dataclass(frozen=True)
class TaskOutcome:
    """What a worker sends back: the episodes' results and their trajectory lines (JSONL)."""

    results: list[EpisodeResult]
    trajectory: str
    session_errors: list[str]
    aborted: str | None


def play_task(item: TaskEpisodes) -> TaskOutcome:
    """Play one task's episodes in this process (an engine's worker).

    The worker loads the in-process sessions over this one task and makes its own player, so
    nothing but plain data crosses the process boundary. Trajectory lines go to a scratch file
    here and travel back as text: a Ray worker may be on another machine.
    """
    tasks = [spec.task for spec in item.specs[:1] if spec.task is not None]
    sessions = load_in_process_sessions(item.runner, item.app_dir, tasks)
    chosen = player(item.agent, item.llm_settings)
    with tempfile.TemporaryDirectory(prefix="graderlib-infer-") as scratch:
        lines = Path(scratch) / "trajectory.jsonl" if item.trajectories else None
        try:
            played = run_inference(
                chosen,
                sessions,
                item.specs,
                concurrency=item.concurrency,
                episodes_per_task=len(item.specs),
                trajectories=lines,
                run_id=item.run_id,
            )
        except SessionError as error:
            return TaskOutcome([], "", [str(error)], None)
        trajectory = lines.read_text(encoding="utf-8") if lines and lines.exists() else ""
    return TaskOutcome(played.results, trajectory, played.session_errors, played.aborted)


def run_inference_on(
    engine: Engine,
    chosen: Player,
    sessions: Sessions,
    specs: Sequence[EpisodeSpec],
    *,
    agent: str,
    llm_settings: LLMSettings | None,
    runner: str,
    app_dir: str,
    concurrency: int = 1,
    episodes_per_task: int = 1,
    out: Path | None = None,
    trajectories: Path | None = None,
    progress: Progress | None = None,
) -> InferenceResults:
    """:func:`run_inference` with each task's episodes as one ``engine`` item (in process only).

    ``chosen`` and ``sessions`` are this process's player and sessions: they describe the run
    (agent, model, settings, where), as in a local run; workers make their own from ``agent``,
    ``llm_settings``, ``runner`` and ``app_dir``. ``concurrency`` is sessions per task on its
    worker. Results and trajectory lines arrive in task order; ``progress`` counts tasks. A
    model server that cannot serve stops the run after the task that found out.
    """
    if any(spec.task is None for spec in specs):
        raise ValueError("a scaled-out run needs the tasks themselves (an in-process run)")
    run_id = uuid.uuid4().hex[:12]
    items = [
        TaskEpisodes(
            agent=agent,
            llm_settings=llm_settings,
            runner=runner,
            app_dir=app_dir,
            specs=tuple(episodes),
            run_id=run_id,
            concurrency=concurrency,
            trajectories=trajectories is not None,
        )
        for _, episodes in itertools.groupby(specs, key=lambda spec: spec.label)
    ]
    run = _Run(chosen, sessions, None, run_id, {}, [])
    outcomes = engine.map(play_task, items, progress)  # an engine that cannot start fails here
    created = datetime.now(UTC).isoformat(timespec="seconds")
    started = time.perf_counter()
    complete = False
    lines = None
    if trajectories is not None:
        trajectories.parent.mkdir(parents=True, exist_ok=True)
        lines = trajectories.open("a", encoding="utf-8")
    try:
        for outcome in outcomes:
            run.results.update((result.episode, result) for result in outcome.results)
            run.session_errors.extend(outcome.session_errors)
            if lines is not None:
                lines.write(outcome.trajectory)
                lines.flush()
            if outcome.aborted:
                run.aborted = outcome.aborted
                break
        if run.session_errors and not run.results:
            raise SessionError(run.session_errors[0])
        complete = True
    finally:
        if lines is not None:
            lines.close()
        results = _conclude(
            run,
            specs,
            created=created,
            complete=complete,
            started=started,
            episodes_per_task=episodes_per_task,
            concurrency=concurrency,
            out=out,
        )
    return results


def _conclude(
    run: _Run,
    specs: Sequence[EpisodeSpec],
    *,
    created: str,
    complete: bool,
    started: float,
    episodes_per_task: int,
    concurrency: int,
    out: Path | None,
) -> InferenceResults:
    """The run's results, also written to ``out``: how a local and a scaled-out run end alike."""
    results = _assemble(
        run,
        specs,
        created=created,
        complete=complete,
        seconds=time.perf_counter() - started,
        episodes_per_task=episodes_per_task,
        concurrency=concurrency,
    )
    if out is not None:
        write_results(results, out)
    return results


def _assemble(
    run: _Run,
    specs: Sequence[EpisodeSpec],
    *,
    created: str,
    complete: bool,
    seconds: float,
    episodes_per_task: int,
    concurrency: int,
) -> InferenceResults:
    described = run.player.describe()
    if complete:
        results = [run.results[s.index] for s in specs if s.index in run.results]
    else:  # interrupted: keep what finished
        results = [r for s in specs if (r := run.results.get(s.index)) is not None and r.done]
    finished = [r for r in results if r.done]
    scored = [r for r in finished if r.error is None]
    return InferenceResults(
        graderlib_version=graderlib_version(),
        run_id=run.run_id,
        created=created,
        agent=described["agent"],
        model=described["model"],
        settings=described["settings"],
        environment=run.sessions.where,
        episodes_per_task=episodes_per_task,
        concurrency=concurrency,
        complete=complete and len(finished) == len(specs),
        seconds=round(seconds, 3),
        summary=RunSummary(
            episodes_planned=len(specs),
            episodes_finished=len(finished),
            mean_score=round(mean(r.score or 0.0 for r in scored), 6) if scored else None,
            patches_resolved=sum(r.patch.resolved for r in finished),
            hints=sum(r.hints for r in results),
            errors=sum(r.error is not None for r in results),
        ),
        session_errors=run.session_errors,
        aborted=run.aborted,
        results=results,
    )


def write_results(results: InferenceResults, path: Path) -> None:
    """Write atomically: an interrupted write never leaves half a JSON file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(json.dumps(results.model_dump(mode="json"), indent=2) + "\n")
    partial.replace(path)
