"""Python 3.12/3.13 syntax, read while graderlib runs on 3.11 (issue 11).

``ast`` on 3.11 rejects PEP 701 f-strings and PEP 695 ``type`` statements and generics; libcst
reads them. Detectors, spans, fingerprints, task loading and grading must all work on them, and
bandit, bound to the running interpreter's grammar, must say it could not read the file rather
than report nothing. The nesting guard that ``ast`` used to give must still hold there.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

from graderlib import grade, load_task
from graderlib.detectors import scan
from graderlib.locate import Span

TASK_DIR = Path(__file__).parent / "fixtures" / "modern_syntax" / "modern-syntax"
SOURCE = (TASK_DIR / "snippet.py").read_text()
# (category, span, scope) of every issue in the fixture, by its line in the clean source
EXPECTED = [
    ("code-injection", Span(start=15, end=15), "Runner.run"),
    ("command-injection", Span(start=20, end=22), "listing"),
    ("command-injection", Span(start=35, end=35), "dispatch"),
]
newer_grammar_only = pytest.mark.skipif(
    sys.version_info >= (3, 12), reason="this interpreter's ast reads the fixture itself"
)


def _clean_source() -> str:
    return load_task(TASK_DIR).source


@newer_grammar_only
def test_the_fixture_is_newer_syntax_than_this_interpreter_reads() -> None:
    with pytest.raises(SyntaxError):
        ast.parse(_clean_source())


def test_task_with_newer_syntax_loads_with_exact_spans() -> None:
    task = load_task(TASK_DIR)
    assert [(i.category, i.span) for i in task.issues] == [(c, s) for c, s, _ in EXPECTED]


def test_scan_of_newer_syntax_finds_every_issue_with_exact_spans_and_scopes() -> None:
    result = scan(_clean_source(), ("graderlib", "ruff"))
    assert result.syntax_error is None and result.tool_errors == ()
    assert [(f.category, f.span, f.scope) for f in result.findings] == EXPECTED
    assert [f.rule_ids for f in result.findings] == [
        ("GL103", "S307"),
        ("GL102", "S602"),
        ("GL102", "S605"),
    ]


@newer_grammar_only
def test_bandit_cannot_parse_it_is_a_tool_error_while_graderlib_and_ruff_report() -> None:
    result = scan(_clean_source())
    assert result.syntax_error is None
    assert result.tool_errors == ("bandit cannot parse Python 3.12 syntax under Python 3.11",)
    assert [(f.category, f.span) for f in result.findings] == [(c, s) for c, s, _ in EXPECTED]
    assert {t for f in result.findings for t in f.tools} == {"graderlib", "ruff"}


def test_grading_scan_findings_on_newer_syntax_finds_every_issue() -> None:
    task = load_task(TASK_DIR)
    found = scan(task.source, ("graderlib",)).findings
    report = grade(task, [{"line": f.line, "category": f.category} for f in found])
    assert (report.issues_found, report.issues_total) == (3, 3)
    assert report.missed == [] and report.false_positives == [] and report.duplicates == []


def test_fingerprints_on_newer_syntax_survive_moving_the_code() -> None:
    source = _clean_source()
    moved = source.replace('"""\n\nimport os', '"""\n\n\n\n# moved\nimport os', 1)
    before = scan(source, ("graderlib",)).findings
    after = scan(moved, ("graderlib",)).findings
    assert [f.span.start + 3 for f in before] == [f.span.start for f in after]
    assert [f.fingerprint for f in before] == [f.fingerprint for f in after]
    assert len({f.fingerprint for f in before}) == 3


@pytest.mark.parametrize(
    ("form", "code"),
    [
        ("pep701", 'label = f"{names["a"]} {f"{names!r}"}"\n'),
        ("pep695-alias", "type Pair[T] = tuple[T, T]\n"),
        ("pep695-function", "def first[T](items: list[T]) -> T:\n    return items[0]\n"),
        ("pep695-class", "class Box[T]:\n    item: T\n"),
        ("except-star", "try:\n    pass\nexcept* OSError:\n    pass\n"),
        ("match", "match names:\n    case {'a': 1}:\n        pass\n"),
    ],
)
def test_each_form_leaves_the_finding_after_it_exact(form: str, code: str) -> None:
    source = "names = {'a': 1}\n" + code + "result = eval(input())\n"
    line = source.count("\n")
    result = scan(source, ("graderlib",))
    assert result.syntax_error is None, form
    assert [(f.category, f.span) for f in result.findings] == [
        ("code-injection", Span(start=line, end=line))
    ]


@pytest.mark.parametrize(
    "deep",
    [
        "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n",
        "x = " + " and ".join(["a"] * 10_000) + "\n",
        "x = " + " + ".join(["a"] * 10_000) + "\n",
        "x = " + "not " * 10_000 + "y\n",
        "x = f" + "()" * 10_000 + "\n",
        "x = " + 'f"{' * 2000 + "1" + '}"' * 2000 + "\n",
        "x = " + "lambda: " * 5000 + "1\n",
    ],
    ids=["parens", "ands", "plus", "nots", "calls", "fstrings", "lambdas"],
)
@pytest.mark.parametrize("first", ["", "type Alias = int\n"], ids=["ast-reads", "ast-rejects"])
def test_the_nesting_guard_holds_before_libcst_parses(first: str, deep: str) -> None:
    # libcst's native parser overflows the C stack and kills the process on such input. On
    # 3.11 `type` makes ast reject the file, so only the guard stands before libcst; without
    # it, ast either rejects the nesting itself or (a flat `and` chain) accepts what libcst
    # cannot take, and the guard must refuse that too
    result = scan(first + deep, ("graderlib",))
    assert result.syntax_error is not None
    # ours ("nested too deeply to analyse") or CPython's ("too many nested parentheses")
    assert "nested" in result.syntax_error
