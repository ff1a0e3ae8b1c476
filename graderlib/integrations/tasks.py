"""The tasks a trainer reviews, and the text a model reads about one.

A dataset row names its task by id (the author id or the public id) and, for generated tasks,
the directory they were written to (``tasks_dir``). Loading parses every snippet with libcst,
so a directory is loaded once per process and kept; the tasks are immutable.

Selection is :class:`graderlib.catalog.TaskCatalog`'s, the rule the OpenEnv server uses too
(filter by split and difficulty, then draw with ``random.Random(seed)``), so a row gives the
same task in process and over ``/ws`` against a server on the same corpus.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from graderlib.catalog import TaskCatalog
from graderlib.settings import get_settings
from graderlib.task import Task, default_tasks_dir, load_tasks
from graderlib.taxonomy import default_taxonomy


def tasks_dir(directory: str | Path | None = None) -> Path:
    """``directory``, else ``$GRADERLIB_TASKS_DIR``, else the repository's ``tasks/``."""
    chosen = directory or get_settings().tasks_dir or default_tasks_dir()
    return Path(chosen).resolve()


@functools.lru_cache(maxsize=16)
def _load(directory: Path) -> TaskCatalog:
    if not directory.is_dir():
        raise ValueError(f"no tasks directory at {directory}")
    return TaskCatalog.of(tuple(load_tasks(directory)))


def task_set(directory: str | Path | None = None) -> TaskCatalog:
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
