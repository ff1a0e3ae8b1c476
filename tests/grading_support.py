"""Tasks and report builders shared by the grading tests."""

from __future__ import annotations

import textwrap
from functools import cache
from pathlib import Path

from graderlib import Finding, Task, TaskLoadError, load_task
from graderlib.task import default_tasks_dir, find_task_dirs

FIXTURES = Path(__file__).parent / "fixtures" / "core_tasks"
RATIONALE = "the value reaches the sink unchecked, so an attacker controls it"


@cache
def law_tasks() -> tuple[Task, ...]:
    """The core fixtures plus every corpus task that loads (the corpus test checks the rest)."""
    tasks = [load_task(d) for d in find_task_dirs([FIXTURES])]
    for directory in find_task_dirs([default_tasks_dir()]):
        try:
            tasks.append(load_task(directory))
        except TaskLoadError:
            continue
    return tuple(tasks)


def tasks_with_issues() -> list[Task]:
    return [t for t in law_tasks() if t.issues]


def clean_tasks() -> list[Task]:
    return [t for t in law_tasks() if not t.issues]


def oracle(task: Task) -> list[Finding]:
    """One exact finding per issue, with a rationale."""
    return [
        Finding(line=issue.span.start, category=issue.category, message=RATIONALE)
        for issue in task.issues
    ]


def make_task(tmp_path: Path, snippet: str, toml: str = "", name: str = "t") -> Path:
    """A task directory under ``tmp_path`` from a (dedented) snippet and task.toml text."""
    task_dir = tmp_path / name
    task_dir.mkdir()
    (task_dir / "snippet.py").write_text(textwrap.dedent(snippet).lstrip("\n"))
    (task_dir / "task.toml").write_text(textwrap.dedent(toml))
    return task_dir
