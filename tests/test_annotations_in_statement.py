"""Annotations above a line inside a statement, as semgrep's rule tests write them (issue 11).

``# ruleid:`` above an argument of a multi-line call, a dict entry, a ``.filter(...)`` line of
a chained call or one part of an implicitly concatenated string marks the smallest node that
starts on that line. semgrep's harness expects the finding to start on the line after the
annotation; these tests check the spans exactly, check that rule against the fixtures
independently, and grade a finding there as exact.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from graderlib import TaskLoadError, grade, load_task
from graderlib.locate import Span

FIXTURES = Path(__file__).parent / "fixtures" / "in_statement"
_ANNOTATION = re.compile(r"^\s*#\s*(ruleid|expect|ok)\s*:\s*(.+?)\s*$")

# fixture -> (issues as (category, span)), (ok marks as (category, span)), clean-source lines
EXPECTED: dict[str, tuple[list[tuple[str, Span]], list[tuple[str, Span]]]] = {
    "argument": (
        [("sql-injection", Span(start=4, end=4))],
        [("sql-injection", Span(start=5, end=5))],
    ),
    "dict_entry": (
        [
            ("weak-hash", Span(start=8, end=8)),  # two annotations stacked on one entry
            ("weak-cipher", Span(start=8, end=8)),
            ("command-injection", Span(start=9, end=9)),
        ],
        [],
    ),
    "chained_call": (
        [("sql-injection", Span(start=4, end=4))],
        [("sql-injection", Span(start=6, end=6))],
    ),
    "string_concat": ([("sql-injection", Span(start=4, end=4))], []),
}


def _semgrep_expectations(snippet: str) -> list[tuple[str, str, int]]:
    """(kind, name, line in the clean source) by semgrep's rule: the finding starts on the
    next code line after the annotation; the annotation lines themselves are removed."""
    lines = snippet.splitlines()
    found = []
    removed = 0
    for index, text in enumerate(lines):
        match = _ANNOTATION.match(text)
        if match is None:
            continue
        removed += 1
        target = next(
            n
            for n in range(index + 1, len(lines))
            if lines[n].strip() and not lines[n].strip().startswith("#")
        )
        annotations_before_target = sum(1 for n in range(target) if _ANNOTATION.match(lines[n]))
        found.append((match.group(1), match.group(2), target + 1 - annotations_before_target))
    return found


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_in_statement_annotations_load_with_exact_spans(name: str) -> None:
    task = load_task(FIXTURES / name)
    issues, oks = EXPECTED[name]
    assert [(i.category, i.span) for i in task.issues] == issues
    assert [(c.categories[0], c.span) for c in task.clean] == oks


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_spans_agree_with_semgreps_finding_starts_on_the_next_line_rule(name: str) -> None:
    task = load_task(FIXTURES / name)
    expected = _semgrep_expectations((FIXTURES / name / "snippet.py").read_text())
    starts = [(i.category, i.span.start) for i in task.issues]
    starts += [(c.categories[0], c.span.start) for c in task.clean]
    assert sorted(starts) == sorted((n, line) for _, n, line in expected)
    source_lines = task.source.splitlines()
    for _, _, line in expected:
        assert source_lines[line - 1].strip() and not source_lines[line - 1].strip().startswith("#")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_finding_on_the_annotated_line_is_exact(name: str) -> None:
    task = load_task(FIXTURES / name)
    findings = [{"line": i.span.start, "category": i.category} for i in task.issues]
    report = grade(task, findings)
    assert report.issues_found == len(task.issues)
    assert all(v.exact_line and v.issue_id for v in report.verdicts)


@pytest.mark.parametrize(
    ("snippet", "line"),
    [
        ("x = f(\n    1,\n    # ruleid: sql-injection\n)\n", 3),  # only a closing bracket
        ("x = 1\n# ruleid: sql-injection\n", 2),  # the end of the file
    ],
)
def test_an_empty_target_is_still_an_error(tmp_path: Path, snippet: str, line: int) -> None:
    (tmp_path / "snippet.py").write_text(snippet)
    (tmp_path / "task.toml").write_text('title = "t"\ndifficulty = "easy"\ndescription = "d"\n')
    with pytest.raises(TaskLoadError) as caught:
        load_task(tmp_path)
    assert caught.value.line == line
