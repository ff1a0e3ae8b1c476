"""Training data: the curated corpus plus generated tasks, as rows a trainer can use.

Each row has a conversational ``prompt`` and the columns that name its task (``task_id``, the
author id, which the model never sees, and ``tasks_dir``), so both TRL forms work from one
dataset: ``code_review_reward`` grades a completion against ``task_id``, and
``CodeReviewToolEnv.reset(**row)`` starts an episode on it. ``mode="single_turn"`` puts the
code and the JSON answer format in the prompt; ``mode="tools"`` leaves the code to ``reset``,
which appends it with the tool instructions.

Generated tasks (``graderlib.generate``) are written once to ``generated_dir`` (default: a
per-seed folder under ``$XDG_CACHE_HOME/graderlib``), because verifying a patch runs the task's
tests from its directory. The same seed always gives the same tasks. ``split`` filters the
curated corpus only; generated tasks are new by construction (use another seed to evaluate).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from graderlib.catalog import SPLITS
from graderlib.integrations.tasks import TaskView, task_set, tasks_dir

if TYPE_CHECKING:
    from datasets import Dataset

Mode = Literal["single_turn", "tools"]
TOOLS_PROMPT = "You are reviewing a Python file for bugs and vulnerabilities."


def generated_tasks_dir(seed: int, directory: str | Path | None = None) -> Path:
    """Where the generated tasks of ``seed`` go: ``directory``, or a per-seed cache folder."""
    if directory is not None:
        return Path(directory).resolve()
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "graderlib" / "generated" / f"seed-{seed}"


def dataset_rows(
    split: str | None = None,
    generated: int = 0,
    seed: int = 0,
    *,
    mode: Mode = "single_turn",
    tasks_dir_: str | Path | None = None,
    generated_dir: str | Path | None = None,
) -> list[dict[str, Any]]:
    """The rows of :func:`dataset` as plain dicts (no ``datasets`` needed)."""
    if split is not None and split not in SPLITS:
        raise ValueError(f"unknown split {split!r} (one of {', '.join(SPLITS)})")
    if mode not in ("single_turn", "tools"):
        raise ValueError(f"mode must be 'single_turn' or 'tools', not {mode!r}")
    if generated < 0:
        raise ValueError(f"generated must be >= 0, not {generated}")
    curated_dir = tasks_dir(tasks_dir_)
    sources = [(curated_dir, [t for t in task_set(curated_dir).tasks if split in (None, t.split)])]
    if generated:
        from graderlib.generate import generate_tasks, write_tasks  # libcst codemods: load late

        target = generated_tasks_dir(seed, generated_dir)
        made = generate_tasks(seed, generated)
        write_tasks(made, target)
        ids = {t.id for t in made}
        sources.append((target, [t for t in task_set(target).tasks if t.id in ids]))
    rows = []
    for directory, tasks in sources:
        for task in tasks:
            view = TaskView.of(task)
            content = view.single_turn_prompt() if mode == "single_turn" else TOOLS_PROMPT
            rows.append(
                {
                    "prompt": [{"role": "user", "content": content}],
                    "task_id": task.id,
                    "tasks_dir": str(directory),
                }
            )
    return rows


def dataset(
    split: str | None = None,
    generated: int = 0,
    seed: int = 0,
    *,
    mode: Mode = "single_turn",
    tasks_dir: str | Path | None = None,
    generated_dir: str | Path | None = None,
) -> Dataset:
    """A Hugging Face ``datasets.Dataset`` of review prompts with their task ids."""
    try:
        from datasets import Dataset
    except ImportError:
        raise ImportError(
            "graderlib.integrations.dataset needs the `datasets` package: "
            "pip install 'graderlib[trl]'"
        ) from None
    rows = dataset_rows(
        split,
        generated,
        seed,
        mode=mode,
        tasks_dir_=tasks_dir,
        generated_dir=generated_dir,
    )
    return Dataset.from_list(rows)
