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
that holds the corpus already knows the author ids; the selection rule itself is graderlib's
(:class:`graderlib.TaskCatalog`), shared with the trainer integrations.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from graderlib import (
    DIFFICULTIES,
    SPLITS,
    GradeReport,
    Task,
    TaskCatalog,
    TaskSelectionError,
    get_settings,
    load_tasks,
)

REPO_TASKS_DIR = Path(__file__).resolve().parents[2] / "tasks"

__all__ = [
    "DIFFICULTIES",
    "SPLITS",
    "Catalog",
    "TaskSelectionError",
    "load_catalog",
    "public_report",
    "public_summary",
    "tasks_dir",
]


def tasks_dir() -> Path:
    """The process's ``GRADERLIB_TASKS_DIR`` if set, else the repository's ``tasks/``."""
    configured = get_settings().tasks_dir
    return configured.resolve() if configured else REPO_TASKS_DIR


class Catalog(TaskCatalog):
    """graderlib's task selection rule, whose unknown-id message points to ``GET /tasks``."""

    listing_hint = "GET /tasks lists them"


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
