"""Procedurally generated review tasks: known bugs injected into clean modules with libcst."""

from graderlib.generate.bases import Base, load_bases
from graderlib.generate.generator import GeneratedTask, generate_tasks, write_task, write_tasks
from graderlib.generate.kinds import ALL_KINDS, KINDS_BY_NAME, BugKind

__all__ = [
    "ALL_KINDS",
    "KINDS_BY_NAME",
    "Base",
    "BugKind",
    "GeneratedTask",
    "generate_tasks",
    "load_bases",
    "write_task",
    "write_tasks",
]
