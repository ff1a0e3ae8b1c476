"""The tasks a trainer reviews, and the text a model reads about one.

A dataset row names its task by id (the author id or the public id) and, for generated tasks,
the directory they were written to (``tasks_dir``). Loading parses every snippet with libcst,
so a directory is loaded once per process and kept; the tasks are immutable.

Selection without an id follows the OpenEnv server's rule (``env/server/catalog.py``): filter
by split and difficulty, then draw with ``random.Random(seed)``; so a row gives the same task
in process and over ``/ws`` against a server on the same corpus.
"""

from __future__ import annotations

import functools
import random
from dataclasses import dataclass
from pathlib import Path

from graderlib.settings import get_settings
from graderlib.task import Task, default_tasks_dir, load_tasks
from graderlib.taxonomy import default_taxonomy

SPLITS = ("train", "validation", "test")
DIFFICULTIES = ("easy", "medium", "hard")


def tasks_dir(directory: str | Path | None = None) -> Path:
    """``directory``, else ``$GRADERLIB_TASKS_DIR``, else the repository's ``tasks/``."""
    chosen = directory or get_settings().tasks_dir or default_tasks_dir()
    return Path(chosen).resolve()


@dataclass(frozen=True)
class TaskSet:
    """Every task of one directory, by author id and by public id."""

    tasks: tuple[Task, ...]

    @functools.cached_property
    def by_id(self) -> dict[str, Task]:
        return {**{t.public_id: t for t in self.tasks}, **{t.id: t for t in self.tasks}}

    def select(
        self,
        *,
        task_id: str | None = None,
        split: str | None = None,
        difficulty: str | None = None,
        seed: int | None = None,
    ) -> Task:
        """A task by id; else one drawn with ``seed`` from the split and difficulty given."""
        if task_id is not None:
            task = self.by_id.get(task_id)
            if task is None:
                raise ValueError(f"unknown task_id {task_id[:100]!r} ({len(self.tasks)} tasks)")
            return task
        if split is not None and split not in SPLITS:
            raise ValueError(f"unknown split {split!r} (one of {', '.join(SPLITS)})")
        if difficulty is not None and difficulty not in DIFFICULTIES:
            raise ValueError(
                f"unknown difficulty {difficulty!r} (one of {', '.join(DIFFICULTIES)})"
            )
        candidates = [
            t
            for t in self.tasks
            if (split is None or t.split == split)
            and (difficulty is None or t.difficulty == difficulty)
        ]
        if not candidates:
            raise ValueError(f"no task matches split={split!r} difficulty={difficulty!r}")
        return random.Random(seed).choice(candidates)


@functools.lru_cache(maxsize=16)
def _load(directory: Path) -> TaskSet:
    if not directory.is_dir():
        raise ValueError(f"no tasks directory at {directory}")
    return TaskSet(tuple(load_tasks(directory)))


def task_set(directory: str | Path | None = None) -> TaskSet:
    """The tasks of ``directory`` (see :func:`tasks_dir`), loaded once per process."""
    return _load(tasks_dir(directory))


FINDING_FORMAT = (
    '{"findings": [{"line": 12, "category": "sql-injection", "message": "the name is '
    'formatted into the query"}]}'
)


@dataclass(frozen=True)
class TaskView:
    """What a model may read about a task: the same fields an OpenEnv observation carries."""

    public_id: str
    difficulty: str
    description: str
    numbered_snippet: str

    @classmethod
    def of(cls, task: Task) -> TaskView:
        return cls(task.public_id, task.difficulty, task.description, task.numbered_source())

    def header(self) -> str:
        """The task, the code with line numbers, and the category vocabulary."""
        categories = ", ".join(default_taxonomy().ids)
        return (
            f"Code review task {self.public_id} ({self.difficulty}): {self.description}\n\n"
            f"```python\n{self.numbered_snippet}\n```\n\n"
            f"Categories: {categories}.\n"
        )

    def single_turn_prompt(self) -> str:
        """The prompt of a one-shot review, answered with findings as JSON."""
        return (
            self.header() + "\nFind every bug and vulnerability in this file. Answer with JSON "
            "only (a ```json fenced block is fine), one finding per problem, `line` being the "
            "first line of the problem and `category` one of the categories above:\n"
            + FINDING_FORMAT
        )

    def tool_instructions(self, step_budget: int) -> str:
        """What ``CodeReviewToolEnv.reset`` returns: the task and how to use the tools."""
        return (
            self.header() + "\nReview this file with the tools. Call report_finding once per "
            "bug or vulnerability (the first line of the problem, a category from the list, "
            "and what is wrong); ask_hint reveals where to look, at a small cost; submit_patch "
            "proposes a fix as a unified diff or the whole fixed file; call finalize when you "
            f"are done. You have {step_budget} tool calls; duplicate and wrong findings cost "
            "points."
        )
