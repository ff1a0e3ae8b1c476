"""Trajectories: every step of every episode as one JSON line, and what trainers make of them.

A final score says how a run ended; a trainer also needs how it got there: the first attempt,
the attempts that improved on it, false positives, hints, patches, and for a model the exact
prompt and completion of each step. ``graderlib infer --trajectories FILE.jsonl`` writes them,
``summarize`` reads them back per task and overall, and ``export`` turns them into a
prompt/completion/reward table that Hugging Face ``datasets`` loads (SFT or RL).

**What a line holds** (``schema`` ``graderlib.trajectory/1``): the run, agent and model; the
episode (its index and a random id) and the task's PUBLIC id; the step number and the action
sent (``null`` for the reset line, which instead holds the task as the agent saw it: description,
difficulty, line count, numbered snippet); the reward, done, the episode score and the
environment's public verdict; a digest of the observation (its sha256 and the public counters:
score, issues found/total, remaining steps, hints, patch resolved); a hint the step revealed;
the model turns behind the action (messages, completion, attempts, the validation errors of
rejected answers); timing; and on the last step the counts of the final report's verdicts.

**No ground truth.** Everything above is what the agent saw or did. Observations are redacted
by the environment already, the task is named by its public id only (an author id such as
``sqli-user-lookup`` names the answer), and the final report enters as counts of statuses.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from statistics import mean
from string import Template
from typing import IO, TYPE_CHECKING, Any, Literal

from pydantic import BaseModel

from graderlib.evaluate.llm import REVIEW_TEMPLATE, SYSTEM_PROMPT

if TYPE_CHECKING:
    from graderlib.evaluate.sessions import StepOutcome

SCHEMA = "graderlib.trajectory/1"
_REQUIRED = ("run", "episode_id", "step", "kind", "task_id", "score")
ExportFormat = Literal["parquet", "jsonl"]


class TrajectoryError(ValueError):
    """A trajectory file that cannot be read or exported; the message names file and line."""


def observation_digest(observation: Mapping[str, Any]) -> dict[str, Any]:
    """A short, comparable stand-in for an observation: its hash and public counters."""
    canonical = json.dumps(observation, sort_keys=True, default=str, separators=(",", ":"))
    return {
        "sha256": hashlib.sha256(canonical.encode()).hexdigest(),
        "score": observation.get("score"),
        "issues_found": observation.get("issues_found"),
        "issues_total": observation.get("issues_total"),
        "remaining_steps": observation.get("remaining_steps"),
        "hints": len(observation.get("hints") or ()),
        "patch_resolved": observation.get("patch_resolved"),
    }


def report_counts(observation: Mapping[str, Any]) -> dict[str, int] | None:
    """Counts of the final (redacted) report's verdict statuses; None before the end."""
    report = observation.get("report")
    if not isinstance(report, Mapping):
        return None
    statuses = Counter(str(v.get("status")) for v in report.get("verdicts") or ())
    return {
        "matched": statuses.get("matched", 0),
        "false_positive": statuses.get("false_positive", 0),
        "ok_violation": statuses.get("ok_violation", 0),
        "duplicate": statuses.get("duplicate", 0),
    }


class TrajectoryWriter:
    """Appends one JSON line per step and flushes it, so an interrupted run keeps its steps."""

    def __init__(self, path: Path, described: Mapping[str, Any]) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._file: IO[str] = path.open("a", encoding="utf-8")
        self._agent = described.get("agent")
        self._model = described.get("model")

    def _emit(self, record: dict[str, Any]) -> None:
        self._file.write(json.dumps(record, separators=(",", ":"), default=str) + "\n")
        self._file.flush()

    def _head(self, meta: Mapping[str, Any], observation: Mapping[str, Any]) -> dict[str, Any]:
        return {
            "schema": SCHEMA,
            "run": meta["run"],
            "agent": self._agent,
            "model": self._model,
            "episode": meta["episode"],
            "episode_id": meta["episode_id"],
            "task_id": observation.get("task_id"),
        }

    def write_reset(
        self, meta: Mapping[str, Any], observation: Mapping[str, Any], seconds: float
    ) -> None:
        self._emit(
            {
                **self._head(meta, observation),
                "step": 0,
                "kind": "reset",
                "action": None,
                "rejected": None,
                "reward": None,
                "done": False,
                "score": observation.get("score"),
                "verdict": observation.get("feedback", ""),
                "observation": observation_digest(observation),
                "view": {
                    "description": observation.get("description", ""),
                    "difficulty": observation.get("difficulty", ""),
                    "line_count": observation.get("line_count", 0),
                    "snippet": observation.get("snippet", ""),
                },
                "env_seconds": round(seconds, 4),
            }
        )

    def write_step(
        self,
        meta: Mapping[str, Any],
        *,
        step: int,
        action: Mapping[str, Any],
        outcome: StepOutcome | None,
        rejection: str | None,
        turns: Sequence[Mapping[str, Any]],
        new_hint: str | None,
        agent_seconds: float,
        env_seconds: float,
    ) -> None:
        observation = outcome.observation if outcome is not None else {}
        record = {
            **self._head(meta, observation),
            "step": step,
            "kind": action.get("kind"),
            "action": dict(action),
            "rejected": rejection,
            "reward": outcome.reward if outcome is not None else None,
            "done": outcome.done if outcome is not None else False,
            "score": observation.get("score"),
            "verdict": observation.get("feedback", "") if outcome is not None else rejection,
            "observation": observation_digest(observation) if outcome is not None else None,
            "hint": new_hint,
            "turns": list(turns),
            "report": report_counts(observation),
            "agent_seconds": round(agent_seconds, 4),
            "env_seconds": round(env_seconds, 4),
        }
        if outcome is None:
            record["task_id"] = None
        self._emit(record)

    def close(self) -> None:
        self._file.close()


# ------------------------------------------------------------------------------ reading


def read_records(paths: Iterable[Path]) -> Iterator[dict[str, Any]]:
    """Every line of every file, checked to be a graderlib trajectory record."""
    for path in paths:
        try:
            handle = path.open(encoding="utf-8")
        except OSError as error:
            raise TrajectoryError(f"{path}: cannot read: {error.strerror or error}") from None
        with handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as error:
                    raise TrajectoryError(f"{path}:{number}: not JSON: {error.msg}") from None
                if not isinstance(record, dict) or record.get("schema") != SCHEMA:
                    raise TrajectoryError(
                        f"{path}:{number}: not a graderlib trajectory line (schema {SCHEMA})"
                    )
                missing = [k for k in _REQUIRED if k not in record]
                if missing or not isinstance(record["step"], int):
                    what = f"no {', '.join(missing)}" if missing else "a step that is no integer"
                    raise TrajectoryError(f"{path}:{number}: a trajectory line with {what}")
                yield record


@dataclass
class Episode:
    """The lines of one episode, in step order, with what a summary needs."""

    key: tuple[str, str]
    lines: list[dict[str, Any]] = field(default_factory=list)

    @property
    def task_id(self) -> str:
        return next((str(r["task_id"]) for r in self.lines if r.get("task_id")), "?")

    @property
    def steps(self) -> list[dict[str, Any]]:
        return [r for r in self.lines if r["kind"] != "reset" and r.get("rejected") is None]

    @property
    def finished(self) -> bool:
        return any(r.get("done") for r in self.lines)

    @property
    def first_score(self) -> float:
        """The score right after the first report: the first attempt (without any report, the
        score after the first step, as on a clean task the agent finalizes at once)."""
        steps = self.steps
        first = next((r for r in steps if r["kind"] == "report"), steps[0] if steps else None)
        return float(first["score"]) if first is not None else 0.0

    @property
    def final_score(self) -> float:
        scored = [r for r in self.lines if r.get("score") is not None]
        return float(scored[-1]["score"]) if scored else 0.0

    @property
    def false_positives(self) -> int | None:
        final = next((r["report"] for r in reversed(self.lines) if r.get("report")), None)
        return None if final is None else int(final["false_positive"] + final["ok_violation"])

    @property
    def hints(self) -> int:
        return sum(r["kind"] == "hint" for r in self.steps)

    @property
    def patches(self) -> int:
        return sum(r["kind"] == "patch" for r in self.steps)

    @property
    def patch_resolved(self) -> bool:
        return any((r.get("observation") or {}).get("patch_resolved") for r in self.steps)

    @property
    def malformed_answers(self) -> int:
        return sum(
            len(t.get("errors") or ())
            for r in self.lines
            for t in r.get("turns") or ()
            if t.get("purpose") == "review"
        )


def episodes(records: Iterable[dict[str, Any]]) -> list[Episode]:
    grouped: dict[tuple[str, str], Episode] = {}
    for record in records:
        key = (str(record["run"]), str(record["episode_id"]))
        grouped.setdefault(key, Episode(key)).lines.append(record)
    for episode in grouped.values():  # stable: a refused action keeps its place
        episode.lines.sort(key=lambda r: (r["kind"] != "reset", int(r["step"])))
    return list(grouped.values())


# ---------------------------------------------------------------------------- summarize


class Stats(BaseModel):
    """First attempt against final score, and how the agent got there, over some episodes."""

    task_id: str | None
    episodes: int
    finished: int
    first_score: float
    final_score: float
    improvement: float
    improved_episodes: int
    false_positives_per_episode: float | None
    hints_per_episode: float
    episodes_with_hints: int
    patch_attempts: int
    patches_resolved: int
    malformed_answers: int


class Summary(BaseModel):
    overall: Stats
    tasks: list[Stats]


def _stats(task_id: str | None, group: Sequence[Episode]) -> Stats:
    first = [e.first_score for e in group]
    final = [e.final_score for e in group]
    fps = [fp for e in group if (fp := e.false_positives) is not None]
    return Stats(
        task_id=task_id,
        episodes=len(group),
        finished=sum(e.finished for e in group),
        first_score=round(mean(first), 6),
        final_score=round(mean(final), 6),
        improvement=round(mean(b - a for a, b in zip(first, final, strict=True)), 6),
        improved_episodes=sum(b > a for a, b in zip(first, final, strict=True)),
        false_positives_per_episode=round(mean(fps), 6) if fps else None,
        hints_per_episode=round(mean(e.hints for e in group), 6),
        episodes_with_hints=sum(e.hints > 0 for e in group),
        patch_attempts=sum(e.patches for e in group),
        patches_resolved=sum(e.patch_resolved for e in group),
        malformed_answers=sum(e.malformed_answers for e in group),
    )


def summarize(paths: Sequence[Path]) -> Summary:
    """Per task (by public id) and overall, over every episode in ``paths``."""
    found = episodes(read_records(paths))
    if not found:
        raise TrajectoryError(f"no trajectory lines in {', '.join(str(p) for p in paths)}")
    by_task: dict[str, list[Episode]] = defaultdict(list)
    for episode in found:
        by_task[episode.task_id].append(episode)
    return Summary(
        overall=_stats(None, found),
        tasks=[_stats(task, group) for task, group in sorted(by_task.items())],
    )


def format_summary(summary: Summary) -> str:
    """The summary as a table for a terminal."""
    header = (
        f"{'task':<20} {'eps':>4} {'done':>4} {'first':>6} {'final':>6} {'gain':>7} "
        f"{'FP/ep':>6} {'hint/ep':>7} {'patch':>7} {'bad':>4}"
    )
    rows = [header, "-" * len(header)]
    for stats in [*summary.tasks, summary.overall]:
        fps = stats.false_positives_per_episode
        rows.append(
            f"{stats.task_id or 'overall':<20} {stats.episodes:>4} {stats.finished:>4} "
            f"{stats.first_score:>6.3f} {stats.final_score:>6.3f} {stats.improvement:>+7.3f} "
            f"{'-' if fps is None else f'{fps:.2f}':>6} {stats.hints_per_episode:>7.2f} "
            f"{f'{stats.patches_resolved}/{stats.patch_attempts}':>7} "
            f"{stats.malformed_answers:>4}"
        )
    return "\n".join(rows)


# ------------------------------------------------------------------------------- export


def _offline_prompt(view: Mapping[str, Any]) -> list[dict[str, str]]:
    """The prompt the default ``llm`` agent would have seen: used for agents without a model,
    so their demonstrations train on the same input a model gets."""
    from graderlib.taxonomy import default_taxonomy

    prompt = Template(REVIEW_TEMPLATE).substitute(
        description=view.get("description", ""),
        snippet=view.get("snippet", ""),
        line_count=view.get("line_count", 0),
        categories=", ".join(default_taxonomy().ids),
        hints="",
        previous="",
    )
    return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": prompt}]


def export_rows(records: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per model turn (or per report of an agent without a model).

    ``prompt`` is the conversation as the model saw it (chat messages), ``completion`` its
    answer as one assistant message, ``reward`` the reward of the step the answer became (0.0
    for an answer that produced no action), ``episode_score`` the episode's final score.
    """
    rows: list[dict[str, Any]] = []
    for episode in episodes(records):
        view = next((r.get("view") for r in episode.lines if r["kind"] == "reset"), None) or {}
        final = episode.final_score if episode.finished else None
        for record in episode.lines:
            if record["kind"] == "reset":
                continue
            kind = record.get("kind")
            reward = float(record["reward"]) if record.get("reward") is not None else 0.0
            common = {
                "task_id": episode.task_id,
                "run": record["run"],
                "episode_id": record["episode_id"],
                "step": int(record["step"]),
                "kind": kind,
                "agent": record.get("agent"),
                "model": record.get("model"),
                "episode_score": final,
                "rejected": record.get("rejected") is not None,
            }
            turns = record.get("turns") or []
            for turn in turns:
                became_action = (turn.get("purpose"), kind) in (
                    ("review", "report"),
                    ("patch", "patch"),
                )
                rows.append(
                    {
                        "prompt": [
                            {"role": str(m["role"]), "content": str(m["content"])}
                            for m in turn.get("messages") or ()
                        ],
                        "completion": [
                            {"role": "assistant", "content": str(turn.get("completion", ""))}
                        ],
                        "reward": reward if became_action else 0.0,
                        "purpose": turn.get("purpose"),
                        "ok": bool(turn.get("ok")),
                        **common,
                    }
                )
            if not turns and kind == "report" and view:
                findings = (record.get("action") or {}).get("findings") or []
                rows.append(
                    {
                        "prompt": _offline_prompt(view),
                        "completion": [
                            {"role": "assistant", "content": json.dumps({"findings": findings})}
                        ],
                        "reward": reward,
                        "purpose": "review",
                        "ok": True,
                        **common,
                    }
                )
    return rows


def export(paths: Sequence[Path], out_dir: Path, fmt: ExportFormat = "parquet") -> Path:
    """Write the rows of ``paths`` to ``out_dir/trajectories.{parquet,jsonl}``; returns it."""
    rows = export_rows(read_records(paths))
    if not rows:
        raise TrajectoryError("no step with a prompt and a completion to export")
    out_dir.mkdir(parents=True, exist_ok=True)
    if fmt == "jsonl":
        target = out_dir / "trajectories.jsonl"
        with target.open("w", encoding="utf-8") as handle:
            for row in rows:
                handle.write(json.dumps(row, ensure_ascii=False) + "\n")
        return target
    try:
        import pyarrow as pa
        import pyarrow.parquet as pq
    except ImportError:
        raise TrajectoryError(
            "Parquet needs pyarrow (pip install pyarrow, or 'datasets'); "
            "or export with --format jsonl"
        ) from None
    target = out_dir / "trajectories.parquet"
    pq.write_table(pa.Table.from_pylist(rows), target)
    return target
