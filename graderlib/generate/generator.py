"""Turning a seed into tasks: pick a base, rename, inject one to three bugs, annotate, write.

Everything random comes from ``random.Random`` seeded by (seed, task index, attempt), so the
same seed always gives the same tasks, byte for byte, and task ``i`` does not depend on how
many tasks were asked for. A task whose cleaned snippet (what the agent sees) duplicates an
earlier one of the same run is drawn again, so a run has no duplicates unless the space of
variants is exhausted.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import libcst as cst

from graderlib.annotations import strip_annotations
from graderlib.generate.bases import Base, load_bases
from graderlib.generate.edit import anchor_of, annotation_comments, parents, replace
from graderlib.generate.kinds import ALL_KINDS, BugKind

if TYPE_CHECKING:
    from graderlib.evaluate.engine import Engine

DIFFICULTY = {1: "easy", 2: "medium", 3: "hard"}
INJECTION_WEIGHTS = {1: 4, 2: 4, 3: 2}
MAX_ATTEMPTS = 40
MAX_COUNT = 100_000


@dataclass(frozen=True)
class InjectedIssue:
    """One injected bug, with what the task.toml says about it."""

    id: str
    kind: str
    category: str
    severity: str
    hint: str
    explanation: str
    fix_keywords: tuple[str, ...]


@dataclass(frozen=True)
class GeneratedTask:
    """A task in memory: the annotated snippet plus everything its directory holds."""

    id: str
    title: str
    difficulty: str
    description: str
    tags: tuple[str, ...]
    snippet: str
    issues: tuple[InjectedIssue, ...]
    base: str
    tests: str | None = None
    fixed: str | None = None
    ok_categories: tuple[str, ...] = field(default=())

    @property
    def clean_source(self) -> str:
        """What the agent sees: the snippet without annotations."""
        return strip_annotations(self.snippet).source

    def fingerprint(self) -> str:
        return hashlib.sha256(self.clean_source.encode()).hexdigest()


class _Rename(cst.CSTTransformer):
    """Rename identifiers, but never an attribute of an imported module (``csv.writer``)."""

    def __init__(self, mapping: Mapping[str, str]) -> None:
        super().__init__()
        self.mapping = mapping
        self.modules: set[str] = set()

    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            self.modules.add(_bound_name(alias))

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if isinstance(node.names, Sequence):
            self.modules.update(_bound_name(alias) for alias in node.names)
        self.modules.discard("snippet")

    def leave_Attribute(
        self, original_node: cst.Attribute, updated_node: cst.Attribute
    ) -> cst.Attribute:
        receiver = original_node.value
        if isinstance(receiver, cst.Name) and receiver.value in self.modules - {"snippet"}:
            return updated_node.with_changes(attr=original_node.attr)
        return updated_node

    def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
        new = self.mapping.get(updated_node.value)
        return updated_node.with_changes(value=new) if new else updated_node


def _bound_name(alias: cst.ImportAlias) -> str:
    """The name an import binds: ``import a.b`` binds ``a``; ``import a as b`` binds ``b``."""
    if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
        return alias.asname.name.value
    dotted = cst.Module(body=[]).code_for_node(alias.name)
    return dotted.split(".")[0]


@lru_cache(maxsize=64)
def _parsed(source: str) -> cst.Module:
    """Parsing dominates generation time; base modules are parsed once (trees are immutable)."""
    return cst.parse_module(source)


def renamed_module(source: str, mapping: Mapping[str, str]) -> cst.Module:
    """The tree of ``source`` with every identifier in ``mapping`` renamed."""
    module = _parsed(source)
    return module.visit(_Rename(mapping)) if mapping else module


def rename(source: str, mapping: Mapping[str, str]) -> str:
    """``source`` with every identifier in ``mapping`` renamed (definitions and uses alike)."""
    return renamed_module(source, mapping).code if mapping else source


def _free_sites(kind: BugKind, module: cst.Module) -> list[cst.CSTNode]:
    sites = kind.sites(module)
    if not sites:
        return []
    parent_map = parents(module)
    return [s for s in sites if not annotation_comments(_anchor(s, parent_map))]


def _anchor(site: cst.CSTNode, parent_map: Mapping[cst.CSTNode, cst.CSTNode]) -> cst.CSTNode:
    if isinstance(site, cst.BaseStatement | cst.ExceptHandler):
        return site
    return anchor_of(site, parent_map)


def _issue_id(kind: BugKind, used: Sequence[str]) -> str:
    candidate, n = kind.name, 1
    while candidate in used:
        n += 1
        candidate = f"{kind.name}-{n}"
    return candidate


def inject(module: cst.Module, kind: BugKind, site_index: int, issue_id: str) -> cst.Module:
    """Apply ``kind`` at its ``site_index``-th free site and annotate it with ``issue_id``."""
    site = _free_sites(kind, module)[site_index]
    comment = f"# expect: {kind.category} severity={kind.severity} id={issue_id}"
    return replace(module, site, kind.rewrite(site, module), comment)


def mark_ok(module: cst.Module, kind: BugKind, site_index: int) -> cst.Module:
    """Annotate the ``site_index``-th untouched (safe) site of ``kind`` as ``# ok:``."""
    site = _free_sites(kind, module)[site_index]
    return replace(module, site, None, f"# ok: {kind.category}")


def _draw(
    base: Base, rng: random.Random
) -> tuple[str, dict[str, str], str, list[InjectedIssue], list[str]] | None:
    mapping = {}
    for name, alternatives in sorted(base.renames.items()):
        choice = rng.choice((name, *alternatives))
        if choice != name:
            mapping[name] = choice
    module = renamed_module(base.source, mapping)
    source = module.code
    wanted = rng.choices(list(INJECTION_WEIGHTS), weights=list(INJECTION_WEIGHTS.values()))[0]
    issues: list[InjectedIssue] = []
    for _ in range(wanted):
        available = {k.name: k for k in ALL_KINDS if _free_sites(k, module)}
        fresh = sorted(set(available) - {i.kind for i in issues}) or sorted(available)
        if not fresh:
            break
        kind = available[rng.choice(fresh)]
        index = rng.randrange(len(_free_sites(kind, module)))
        issue_id = _issue_id(kind, [i.id for i in issues])
        module = inject(module, kind, index, issue_id)
        issues.append(
            InjectedIssue(
                issue_id,
                kind.name,
                kind.category,
                kind.severity,
                kind.hint,
                kind.explanation,
                kind.fix_keywords,
            )
        )
    if not issues:
        return None
    ok_categories: list[str] = []
    if len(issues) > 1:
        for kind_name in dict.fromkeys(i.kind for i in issues):
            kind = next(k for k in ALL_KINDS if k.name == kind_name)
            free = _free_sites(kind, module)
            if free and kind.category not in ok_categories:
                module = mark_ok(module, kind, rng.randrange(len(free)))
                ok_categories.append(kind.category)
    return module.code, mapping, source, issues, ok_categories


def generate_task(
    seed: int, index: int, attempt: int = 0, bases: Sequence[Base] | None = None
) -> GeneratedTask:
    """Task number ``index`` of ``seed`` (``attempt`` > 0 draws an alternative)."""
    pool = list(bases or load_bases())
    rng = random.Random(f"graderlib-generate:{seed}:{index}:{attempt}")
    for _ in range(len(pool) * 2):
        base = rng.choice(pool)
        drawn = _draw(base, rng)
        if drawn is None:
            continue
        snippet, mapping, fixed, issues, ok_categories = drawn
        detected = {i.kind for i in issues} & base.detects
        return GeneratedTask(
            id=f"gen-{seed}-{index:05d}-{base.name}",
            title=f"{base.title} (generated)",
            difficulty=DIFFICULTY[len(issues)],
            description=base.description,
            tags=(*base.tags, "generated"),
            snippet=snippet,
            issues=tuple(issues),
            base=base.name,
            tests=rename(base.tests, mapping) if detected and base.tests is not None else None,
            fixed=fixed if detected else None,
            ok_categories=tuple(ok_categories),
        )
    raise ValueError("no base module offers a site for any bug kind")


def _first_draw(job: tuple[int, int]) -> GeneratedTask:
    """Attempt 0 of task ``index``: the unit of work an engine runs in parallel."""
    seed, index = job
    return generate_task(seed, index, 0)


def generate_tasks(
    seed: int, count: int, bases: Sequence[Base] | None = None, engine: Engine | None = None
) -> list[GeneratedTask]:
    """``count`` distinct tasks for ``seed``; the same arguments always give the same tasks.

    With an ``engine`` (the built-in bases only), every task's first draw runs on it; the
    rare redraws of a duplicate stay here, in order, so the tasks are the same either way.
    """
    if count < 0 or count > MAX_COUNT:
        raise ValueError(f"count must be between 0 and {MAX_COUNT}, got {count}")
    if engine is not None and bases is not None:
        raise ValueError("an engine draws from the built-in bases; pass bases or an engine")
    if engine is not None:
        first: Iterable[GeneratedTask] = engine.map(_first_draw, [(seed, i) for i in range(count)])
    else:
        first = (generate_task(seed, index, 0, bases) for index in range(count))
    seen: set[str] = set()
    tasks = []
    for index, task in enumerate(first):
        for attempt in range(1, MAX_ATTEMPTS):
            if task.fingerprint() not in seen:
                break
            task = generate_task(seed, index, attempt, bases)
        seen.add(task.fingerprint())
        tasks.append(task)
    return tasks


def _toml_string(value: str) -> str:
    return json.dumps(value)


def task_toml(task: GeneratedTask) -> str:
    """The task.toml text; every issue gets its hint, explanation and fix keywords."""
    lines = [
        f"title = {_toml_string(task.title)}",
        f"difficulty = {_toml_string(task.difficulty)}",
        f"description = {_toml_string(task.description)}",
        f"tags = [{', '.join(_toml_string(t) for t in task.tags)}]",
    ]
    for issue in task.issues:
        lines += [
            "",
            "[[issue]]",
            f"id = {_toml_string(issue.id)}",
            f"hint = {_toml_string(issue.hint)}",
            f"explanation = {_toml_string(issue.explanation)}",
            f"fix_keywords = [{', '.join(_toml_string(k) for k in issue.fix_keywords)}]",
        ]
    return "\n".join(lines) + "\n"


def write_task(task: GeneratedTask, out_dir: Path) -> Path:
    """Write ``task`` as ``out_dir/<task id>/`` in the corpus format; returns the directory."""
    directory = out_dir / task.id
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "task.toml").write_text(task_toml(task), encoding="utf-8")
    (directory / "snippet.py").write_text(task.snippet, encoding="utf-8")
    for name, text in (("test_task.py", task.tests), ("fixed.py", task.fixed)):
        path = directory / name
        if text is not None:
            path.write_text(text, encoding="utf-8")
        elif path.exists():
            path.unlink()
    return directory


def write_tasks(tasks: Iterable[GeneratedTask], out_dir: Path) -> list[Path]:
    return [write_task(task, out_dir) for task in tasks]
