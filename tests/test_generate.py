"""The task generator: every bug kind injects, annotates and reverses; output is reproducible."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import libcst as cst
import pytest

from graderlib.annotations import strip_annotations
from graderlib.generate import ALL_KINDS, BugKind, load_bases
from graderlib.generate.bases import Base
from graderlib.generate.generator import (
    GeneratedTask,
    InjectedIssue,
    generate_task,
    generate_tasks,
    inject,
    write_task,
    write_tasks,
)
from graderlib.task import load_task

BASES = load_bases()


def _applicable(kind: BugKind) -> list[Base]:
    return [b for b in BASES if kind.sites(cst.parse_module(b.source))]


def _single(base: Base, kind: BugKind, site: int = 0) -> GeneratedTask:
    module = inject(cst.parse_module(base.source), kind, site, kind.name)
    issue = InjectedIssue(
        kind.name,
        kind.name,
        kind.category,
        kind.severity,
        kind.hint,
        kind.explanation,
        kind.fix_keywords,
    )
    return GeneratedTask(
        id=f"{base.name}-{kind.name}",
        title="t",
        difficulty="easy",
        description="d",
        tags=(),
        snippet=module.code,
        issues=(issue,),
        base=base.name,
        tests=base.tests,
        fixed=base.source,
    )


def _pytest(directory: Path, source: str, tests: str) -> int:
    (directory / "snippet.py").write_text(source)
    (directory / "test_task.py").write_text(tests)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", str(directory)],
        capture_output=True,
        text=True,
        cwd=directory,
        timeout=120,
    )
    return result.returncode


def test_enough_bases_and_kinds() -> None:
    assert len(BASES) >= 10
    assert len(ALL_KINDS) >= 12
    assert len({k.name for k in ALL_KINDS}) == len(ALL_KINDS)


@pytest.mark.parametrize("kind", ALL_KINDS, ids=lambda k: k.name)
def test_each_kind_applies_to_three_bases(kind: BugKind) -> None:
    assert len(_applicable(kind)) >= 3, [b.name for b in _applicable(kind)]


@pytest.mark.parametrize("kind", ALL_KINDS, ids=lambda k: k.name)
def test_each_kind_injects_and_annotates_exactly(kind: BugKind, tmp_path: Path) -> None:
    for base in _applicable(kind)[:3]:
        task = _single(base, kind)
        assert task.clean_source != base.source, "the injection changed nothing"
        loaded = load_task(write_task(task, tmp_path))
        assert [i.category for i in loaded.issues] == [kind.category]
        issue = loaded.issues[0]
        assert issue.hint == kind.hint and issue.explanation == kind.explanation
        # the annotated statement is one the injection touched (or, for a removed guard,
        # the statement that now runs unguarded)
        marked = "\n".join(loaded.source.splitlines()[issue.span.start - 1 : issue.span.end])
        assert (marked.strip() and marked not in base.source) or kind.name in {
            "drop-none-guard",
            "remove-lock",
            "drop-with",
        }, (base.name, marked)
        assert loaded.source == task.clean_source
        assert strip_annotations(task.snippet).source == loaded.source


@pytest.mark.slow
@pytest.mark.parametrize("kind", ALL_KINDS, ids=lambda k: k.name)
def test_reverse_transform_is_the_reference_fix(kind: BugKind, tmp_path: Path) -> None:
    """Where a base's tests catch a kind: they fail on the injected code and pass on the base."""
    checked = 0
    for base in _applicable(kind):
        if base.tests is None or kind.name not in base.detects:
            continue
        sites = len(kind.sites(cst.parse_module(base.source)))
        for site in sorted({0, sites - 1}):
            task = _single(base, kind, site)
            work = tmp_path / f"{base.name}-{site}"
            work.mkdir()
            assert _pytest(work, task.clean_source, base.tests) == 1, (base.name, site)
        work = tmp_path / f"{base.name}-fixed"
        work.mkdir()
        assert _pytest(work, base.source, base.tests) == 0, base.name
        checked += 1
        if checked == 3:
            break
    if kind.name == "remove-lock":
        pytest.skip("lost updates are not reproducible in a fast deterministic test")
    assert checked >= 3, f"only {checked} base(s) have tests that catch {kind.name}"


def test_same_seed_same_tasks_and_different_seed_different_tasks(tmp_path: Path) -> None:
    first = generate_tasks(5, 6)
    again = generate_tasks(5, 6)
    other = generate_tasks(6, 6)
    assert [t.snippet for t in first] == [t.snippet for t in again]
    assert [t.id for t in first] == [t.id for t in again]
    assert [t.snippet for t in first] != [t.snippet for t in other]
    # a task does not depend on how many were asked for
    assert generate_task(5, 3).snippet == first[3].snippet
    write_tasks(first, tmp_path / "a")
    write_tasks(again, tmp_path / "b")
    for task in first:
        for name in ("task.toml", "snippet.py"):
            a = (tmp_path / "a" / task.id / name).read_bytes()
            assert a == (tmp_path / "b" / task.id / name).read_bytes()


def test_generated_tasks_load_and_carry_ok_marks(tmp_path: Path) -> None:
    tasks = generate_tasks(21, 12)
    for directory, task in zip(write_tasks(tasks, tmp_path), tasks, strict=True):
        loaded = load_task(directory)
        assert len(loaded.issues) == len(task.issues) >= 1
        assert loaded.difficulty == {1: "easy", 2: "medium", 3: "hard"}[len(task.issues)]
        assert all(i.hint and i.explanation for i in loaded.issues)
        assert {c for mark in loaded.clean for c in mark.categories} == set(task.ok_categories)
        if task.tests is not None:
            assert loaded.tests_path is not None and loaded.fix_path is not None
            assert cst.parse_module((directory / "fixed.py").read_text())
    assert any(t.ok_categories for t in tasks)


def test_cli_generates_lintable_tasks(tmp_path: Path) -> None:
    from graderlib.cli import main

    out = tmp_path / "gen"
    assert main(["tasks", "generate", "--seed", "3", "--count", "4", str(out)]) == 0
    assert len(list(out.iterdir())) == 4
    assert main(["tasks", "lint", "--no-tests", str(out)]) == 0
    assert main(["tasks", "generate", "--count", "0", str(out)]) == 2
    (tmp_path / "file").write_text("x")
    assert main(["tasks", "generate", "--count", "1", str(tmp_path / "file")]) == 2


@pytest.mark.slow
def test_thousand_tasks_have_at_most_one_percent_duplicates() -> None:
    """Measured on the first draw of every task, before the generator's own de-duplication."""
    fingerprints = [generate_task(1000, i).fingerprint() for i in range(1000)]
    duplicates = len(fingerprints) - len(set(fingerprints))
    assert duplicates <= 10, duplicates
