"""The one rule for picking a task from a corpus: by id, by position, or drawn with a seed.

The OpenEnv server (``env/server/catalog.py``) and the trainer integrations
(``graderlib.integrations``) both pick tasks, and a dataset row must give the same task in
process and over ``/ws`` against a server on the same corpus. So the rule lives here, once;
env reaches it through the package root and only adds its own wording to one message.

Either id selects a task: the author id (a trainer holding the corpus knows it) or the opaque
:attr:`Task.public_id` (all an agent ever sees). Without an id, the tasks are filtered by split
and difficulty, then taken by ``index`` or drawn with ``random.Random(seed)``.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar, Self, get_args

from graderlib.task import Difficulty, Split, Task

SPLITS: tuple[str, ...] = get_args(Split)
DIFFICULTIES: tuple[str, ...] = get_args(Difficulty)


class TaskSelectionError(ValueError):
    """A selection asked for a task that does not exist or a filter nothing matches."""


@dataclass(frozen=True)
class TaskCatalog:
    """Every task of one corpus (in the order given; loaders sort by id) and the ways to pick one.

    ``by_id`` is keyed by author id, ``by_public_id`` by :attr:`Task.public_id`. Build one
    with :meth:`of`, which refuses ids that would make a lookup ambiguous.
    """

    # Where a caller can list the tasks, named in the unknown-id message (env: its route).
    listing_hint: ClassVar[str] = ""

    tasks: tuple[Task, ...]
    by_id: Mapping[str, Task]
    by_public_id: Mapping[str, Task]

    @classmethod
    def of(cls, tasks: tuple[Task, ...]) -> Self:
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
        """The tasks of ``split`` and ``difficulty`` (``None``: any); unknown values refused."""
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
                # The message names no other task: ids such as ``sqli-user-lookup`` are answers.
                hint = f"; {self.listing_hint}" if self.listing_hint else ""
                raise TaskSelectionError(
                    f"unknown task_id {task_id[:100]!r} ({len(self.tasks)} tasks{hint})"
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
