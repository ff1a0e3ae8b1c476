"""The clean base modules that bugs are injected into, shipped as package data.

Each base is a directory ``bases/<name>/`` holding ``snippet.py`` (realistic, clean code),
``base.toml`` (title, description, tags, which bug kinds its tests catch, identifier renames
that diversify the output) and, for most, ``test_task.py`` (pytest, stdlib only, importing the
code as ``snippet``). The bases are data, not part of graderlib's import graph: they are read
as text with :mod:`importlib.resources`, never imported.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources


@dataclass(frozen=True)
class Base:
    """One clean module the generator can break."""

    name: str
    title: str
    description: str
    source: str
    tests: str | None
    tags: tuple[str, ...] = ()
    detects: frozenset[str] = frozenset()
    renames: dict[str, tuple[str, ...]] = field(default_factory=dict)


@cache
def load_bases() -> tuple[Base, ...]:
    """Every base shipped with the package, sorted by name (so seeds stay reproducible)."""
    root = resources.files("graderlib.generate").joinpath("bases")
    found = []
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        meta = entry.joinpath("base.toml")
        if not entry.is_dir() or not meta.is_file():
            continue
        spec = tomllib.loads(meta.read_text(encoding="utf-8"))
        tests = entry.joinpath("test_task.py")
        found.append(
            Base(
                name=entry.name,
                title=str(spec["title"]),
                description=str(spec["description"]),
                source=entry.joinpath("snippet.py").read_text(encoding="utf-8"),
                tests=tests.read_text(encoding="utf-8") if tests.is_file() else None,
                tags=tuple(spec.get("tags", ())),
                detects=frozenset(spec.get("detects", ())),
                renames={k: tuple(v) for k, v in spec.get("renames", {}).items()},
            )
        )
    return tuple(found)
