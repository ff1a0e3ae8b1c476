"""The tasks a server offers: loaded once per directory, read-only, shown without answers.

Loading parses every snippet with libcst, which is far too slow to repeat for each WebSocket
session, so a catalog is cached per tasks directory. The cache holds immutable ``Task``
objects only; no episode state lives here, so sessions share nothing they could change.

``public_summary`` is the one place that decides what may be said about a task before an
episode: its PUBLIC id, difficulty, split, size and issue count. Not its title or tags:
authors write those freely ("SQL injection in the login"), and a task's categories are
exactly the answer an agent is asked to find. Not its author id either: ids such as
``sqli-user-lookup`` or ``clean-ttl-cache`` name the answer, so an agent only ever sees
``Task.public_id`` (an opaque hash). Selecting a task accepts either id, because a trainer
that holds the corpus already knows the author ids.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graderlib import GradeReport, Task, get_settings, load_tasks

REPO_TASKS_DIR = Path(__file__).resolve().parents[2] / "tasks"
SPLITS = ("train", "validation", "test")
DIFFICULTIES = ("easy", "medium", "hard")


class TaskSelectionError(ValueError):
    """A reset asked for a task that does not exist or a filter nothing matches."""


def tasks_dir() -> Path:
    """The process's ``GRADERLIB_TASKS_DIR`` if set, else the repository's ``tasks/``."""
    configured = get_settings().tasks_dir
    return configured.resolve() if configured else REPO_TASKS_DIR


@dataclass(frozen=True)
class Catalog:
    """Every task of one directory, sorted by id, and the ways to pick one.

    ``by_id`` is keyed by author id, ``by_public_id`` by :attr:`Task.public_id`.
    """

    tasks: tuple[Task, ...]
    by_id: Mapping[str, Task]
    by_public_id: Mapping[str, Task]

    @classmethod
    def of(cls, tasks: tuple[Task, ...]) -> Catalog:
        """A catalog of ``tasks``; refuses ids that would make a lookup ambiguous."""
        by_id = {t.id: t for t in tasks}
        by_public_id = {t.public_id: t for t in tasks}
        if len(by_public_id) != len(by_id):
            raise ValueError("two task ids hash to the same public id; rename one of them")
        clashes = sorted(p for p, t in by_public_id.items() if p in by_id and by_id[p] is not t)
        if clashes:
            raise ValueError(f"task id(s) {clashes} equal another task's public id; rename them")
        return cls(tasks=tasks, by_id=by_id, by_public_id=by_public_id)

    def find(self, task_id: str) -> Task | None:
        """The task with this public id or author id, if any."""
        return self.by_public_id.get(task_id) or self.by_id.get(task_id)

    def filtered(self, *, split: str | None = None, difficulty: str | None = None) -> list[Task]:
        if split is not None and split not in SPLITS:
            raise TaskSelectionError(f"unknown split {split!r} (one of {', '.join(SPLITS)})")
        if difficulty is not None and difficulty not in DIFFICULTIES:
            raise TaskSelectionError(
                f"unknown difficulty {difficulty!r} (one of {', '.join(DIFFICULTIES)})"
            )
        return [
            t
            for t in self.tasks
            if (split is None or t.split == split)
            and (difficulty is None or t.difficulty == difficulty)
        ]

    def select(
        self,
        *,
        task_id: str | None = None,
        difficulty: str | None = None,
        split: str | None = None,
        index: int | None = None,
        seed: int | None = None,
    ) -> Task:
        """A task by id; else by position in the filtered list; else drawn with ``seed``."""
        if task_id is not None:
            task = self.find(task_id)
            if task is None:
                raise TaskSelectionError(
                    f"unknown task_id {task_id[:100]!r} ({len(self.tasks)} tasks; "
                    "GET /tasks lists them)"
                )
            return task
        candidates = self.filtered(split=split, difficulty=difficulty)
        if not candidates:
            wanted = ", ".join(
                f"{k}={v!r}" for k, v in (("split", split), ("difficulty", difficulty)) if v
            )
            raise TaskSelectionError(f"no task matches {wanted or 'anything'}")
        if index is not None:
            if not 0 <= index < len(candidates):
                raise TaskSelectionError(
                    f"index {index} is out of range (0..{len(candidates) - 1})"
                )
            return candidates[index]
        return random.Random(seed).choice(candidates)


def public_summary(task: Task) -> dict[str, Any]:
    """What anyone may know about a task before reviewing it."""
    return {
        "id": task.public_id,
        "difficulty": task.difficulty,
        "split": task.split,
        "line_count": task.line_count,
        "issues": len(task.issues),
        "has_tests": task.has_tests,
    }


def public_report(task: Task, report: GradeReport, public_id: str | None = None) -> GradeReport:
    """The report an agent may see: redacted, and naming the task by its public id.

    ``public_id``: the task's, if the caller has it already (it is an HMAC when keyed).
    """
    return report.redacted().model_copy(update={"task_id": public_id or task.public_id})


@functools.lru_cache(maxsize=8)
def _load(directory: Path) -> Catalog:
    tasks = tuple(load_tasks(directory)) if directory.is_dir() else ()
    return Catalog.of(tasks)


def load_catalog(directory: Path | None = None) -> Catalog:
    """The catalog of ``directory`` (default: :func:`tasks_dir`), loaded on first use."""
    return _load((directory or tasks_dir()).resolve())
