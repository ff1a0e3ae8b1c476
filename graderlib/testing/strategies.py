"""Hypothesis strategies for grader tests: random but valid tasks, and reports against them.

A generated task is written the way an author writes one (an annotated ``snippet.py`` and a
``task.toml`` in a directory) and loaded by :func:`graderlib.load_task`, so every span in it is
a real libcst span and every task the strategies produce is one graderlib accepts. The snippet
comes from a small grammar of statements: one-line calls, a call spread over several lines, a
compound statement whose span is its header, and plain code that carries no issue.

Loading parses the snippet, which costs milliseconds; tasks are cached by their recipe, so the
hundreds of examples a law draws reuse the few hundred distinct tasks hypothesis explores.
"""

from __future__ import annotations

import hashlib
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from graderlib.findings import Finding
from graderlib.task import Issue, Task, load_task
from graderlib.taxonomy import Relation, Severity, default_taxonomy

RATIONALE = "the value reaches this statement unchecked, so a caller controls what it does"


@dataclass(frozen=True)
class _Form:
    """One statement of the grammar: its lines (indented by the renderer) and usual category."""

    lines: tuple[str, ...]
    category: str | None
    words: tuple[str, ...] = ()


_FORMS: dict[str, _Form] = {
    "sql": _Form(
        ("db.execute(f\"SELECT * FROM items WHERE name = '{name}'\")",),
        "sql-injection",
        ("query", "parameter", "placeholder"),
    ),
    "sql-multiline": _Form(
        (
            "db.execute(",
            "    \"SELECT * FROM items WHERE owner = '%s'\" % name,",
            ")",
        ),
        "sql-injection",
        ("query", "parameter", "bound"),
    ),
    "shell": _Form(
        ("subprocess.run(command, shell=True, check=False)",),
        "command-injection",
        ("shell", "argument", "list"),
    ),
    "eval": _Form(("result = eval(expression)",), "code-injection", ("eval", "literal_eval")),
    "pickle": _Form(("obj = pickle.loads(payload)",), "unsafe-deserialization", ("pickle", "json")),
    "md5": _Form(
        ("digest = hashlib.md5(password.encode()).hexdigest()",),
        "weak-hash",
        ("md5", "bcrypt", "salt"),
    ),
    "random": _Form(("token = random.random()",), "weak-random", ("secrets", "token")),
    "secret": _Form(
        ('api_key = "sk-live-51HqLyjWDarjtT1zdp7dc"',), "hardcoded-secret", ("environment",)
    ),
    "identity": _Form(
        ('if status is "done":', "    total += 1"), "identity-comparison", ("==", "equality")
    ),
    "leak": _Form(("handle = open(path)",), "resource-leak", ("with", "close")),
    "assign": _Form(("total = total + len(name)",), None),
    "log": _Form(('log.info("handled %s", name)',), None),
    "loop": _Form(("for item in items:", "    total += item"), None),
}
FORM_NAMES = tuple(sorted(_FORMS))
_SEVERITIES = tuple(s.value for s in Severity)


@dataclass(frozen=True)
class StatementRecipe:
    """A statement and the ground truth written above it (``expect``/``ok`` categories)."""

    form: str
    expect: tuple[tuple[str, ...], ...] = ()  # one tuple of categories per stacked issue
    severity: str | None = None
    ok: tuple[str, ...] = ()


@dataclass(frozen=True)
class TaskRecipe:
    """Everything a generated task is made of; hashable, so loaded tasks can be cached."""

    functions: tuple[tuple[StatementRecipe, ...], ...]
    file_issue: str | None = None
    difficulty: str = "medium"

    def render(self) -> tuple[str, str]:
        """The annotated ``snippet.py`` and the ``task.toml`` an author would write."""
        out = ["import hashlib", "import pickle", "import random", "import subprocess", ""]
        for number, body in enumerate(self.functions):
            out += ["", f"def handler_{number}(db, log, name, path, status, items, payload,"]
            out += ["              password, command, expression):", "    total = 0"]
            for statement in body:
                for categories in statement.expect:
                    level = f" severity={statement.severity}" if statement.severity else ""
                    out.append(f"    # expect: {', '.join(categories)}{level}")
                if statement.ok:
                    out.append(f"    # ok: {', '.join(statement.ok)}")
                out += [f"    {line}" for line in _FORMS[statement.form].lines]
            out.append("    return total")
        snippet = "\n".join(out) + "\n"
        digest = hashlib.sha256(repr(self).encode()).hexdigest()[:12]
        toml = [
            f'id = "generated-{digest}"',
            'title = "Generated review task"',
            f'difficulty = "{self.difficulty}"',
            'description = "Review these request handlers."',
        ]
        if self.file_issue is not None:
            toml += ["", "[[issue]]", f'category = "{self.file_issue}"', 'scope = "file"']
        return snippet, "\n".join(toml) + "\n"


@lru_cache(maxsize=2048)
def build_task(recipe: TaskRecipe) -> Task:
    """Write ``recipe`` as a task directory and load it with :func:`graderlib.load_task`."""
    snippet, toml = recipe.render()
    with tempfile.TemporaryDirectory(prefix="graderlib-law-") as root:
        task_dir = Path(root) / "task"
        task_dir.mkdir()
        (task_dir / "snippet.py").write_text(snippet)
        (task_dir / "task.toml").write_text(toml)
        task = load_task(task_dir)
    return task.model_copy(update={"path": None})


def category_ids() -> tuple[str, ...]:
    """The taxonomy's vocabulary: what a report may name."""
    return default_taxonomy().ids


# Strategies are built once, at import: building one per draw (st.sampled_from(per-task list),
# flatmap) makes hypothesis validate it again on every draw and every shrink step, which cost
# ~50x the grading itself. Draws are small integers, turned into values by plain Python.
_INDEX = st.integers(min_value=0, max_value=2**16)
_KIND = st.sampled_from(["plain", "plain", "expect", "expect", "stacked", "ok"])
_SEVERITY = st.one_of(st.none(), st.sampled_from(_SEVERITIES))


@st.composite
def _statement(draw: st.DrawFn) -> StatementRecipe:
    categories = category_ids()
    form = FORM_NAMES[draw(_INDEX) % len(FORM_NAMES)]
    natural = _FORMS[form].category

    def category(prefer_natural: bool) -> str:
        pick = draw(_INDEX)
        if natural and prefer_natural and pick % 3:
            return natural
        return categories[pick % len(categories)]

    kind = draw(_KIND)
    if kind == "plain":
        return StatementRecipe(form)
    if kind == "ok":
        return StatementRecipe(form, ok=(category(True),))
    first = category(True)
    issue = (first,) if draw(_INDEX) % 4 else tuple(dict.fromkeys([first, category(False)]))
    issues: list[tuple[str, ...]] = [issue]
    if kind == "stacked":
        second = category(False)
        if second != first:
            issues.append((second,))
    return StatementRecipe(form, expect=tuple(issues), severity=draw(_SEVERITY))


_FUNCTION = st.lists(_statement(), min_size=1, max_size=5).map(tuple)


@st.composite
def recipes(draw: st.DrawFn) -> TaskRecipe:
    """A :class:`TaskRecipe`: one to three handlers of one to five statements."""
    functions = draw(st.lists(_FUNCTION, min_size=1, max_size=3).map(tuple))
    pick = draw(_INDEX)
    file_issue = None if pick % 4 else category_ids()[pick % len(category_ids())]
    difficulty = ("easy", "medium", "hard")[draw(_INDEX) % 3]
    return TaskRecipe(functions, file_issue, difficulty)


_RECIPES = recipes()


def tasks(*, with_issues: bool | None = None, file_scope: bool = True) -> st.SearchStrategy[Task]:
    """Random valid tasks: snippet, issues with libcst spans and categories, clean marks.

    ``with_issues=True`` only draws tasks with at least one issue, ``False`` only clean ones;
    ``file_scope=False`` leaves out issues of ``scope = "file"`` (for graders without them).
    """
    drawn = _RECIPES if file_scope else _RECIPES.map(_without_file_issue)
    if with_issues is True:
        return drawn.filter(
            lambda r: any(s.expect for b in r.functions for s in b) or r.file_issue is not None
        ).map(build_task)
    if with_issues is False:
        return drawn.map(_without_issues).map(build_task)
    return drawn.map(build_task)


def _without_file_issue(recipe: TaskRecipe) -> TaskRecipe:
    return TaskRecipe(recipe.functions, None, recipe.difficulty)


def _without_issues(recipe: TaskRecipe) -> TaskRecipe:
    functions = tuple(
        tuple(StatementRecipe(s.form, ok=s.ok) for s in body) for body in recipe.functions
    )
    return TaskRecipe(functions, None, recipe.difficulty)


# ----------------------------------------------------------------------------- findings


def oracle(task: Task) -> list[Finding]:
    """One finding per issue on its first line, with a rationale: what every grader rates 1.0."""
    return [
        Finding(line=issue.span.start, category=issue.category, message=RATIONALE)
        for issue in task.issues
    ]


def shotgun(task: Task) -> list[Finding]:
    """Every category on every line."""
    return list(_shotgun(task.line_count))


@lru_cache(maxsize=256)
def _shotgun(line_count: int) -> tuple[Finding, ...]:
    # Findings are frozen, so one volley per file length serves every task and every draw.
    return tuple(
        Finding(line=line, category=category, message=RATIONALE)
        for line in range(1, line_count + 1)
        for category in category_ids()
    )


@lru_cache(maxsize=4096)
def stuffing_text(issue: Issue) -> str:
    """Everything a keyword rubric could look for in a finding about ``issue``."""
    taxonomy = default_taxonomy()
    words = [issue.explanation or "", issue.hint or "", *issue.fix_keywords]
    for category in issue.categories:
        words += [category, category.replace("-", " "), taxonomy.title_of(category)]
        words += [f"CWE-{cwe}" for cwe in taxonomy.cwes_of(category)]
        words += [w for form in _FORMS.values() if form.category == category for w in form.words]
    return " ".join(w for w in words if w)


def far_lines(task: Task, margin: int) -> list[int]:
    """Lines of the file more than ``margin`` lines from every statement-scoped issue."""
    return [
        line
        for line in range(1, task.line_count + 1)
        if all(i.scope == "file" or i.span.distance(line, line) > margin for i in task.issues)
    ]


# A finding as drawn: (where kind, where, category kind, category, message kind). Where kind
# 0 is any line of the file or just past it, else near an issue's first line; category kind 0
# is any category, else one of the issues'; messages are a rationale, short junk (vague) or
# an issue's own words (keyword stuffing).
_RAW_FINDING = st.tuples(st.integers(0, 1), _INDEX, st.integers(0, 1), _INDEX, st.integers(0, 2))
_RAW_FINDINGS = st.lists(_RAW_FINDING, max_size=12)
_JUNK = ("", "bug", "looks off", "abc defg hij")


def realise(task: Task, raw: tuple[int, int, int, int, int]) -> Finding:
    """One drawn finding against ``task``: plain Python, so drawing stays cheap."""
    where_kind, where, category_kind, category, message_kind = raw
    if where_kind == 0 or not task.issues:
        line = 1 + where % (task.line_count + 5)
    else:
        anchor = task.issues[where % len(task.issues)].span.start
        line = max(1, anchor - 3 + (where // len(task.issues)) % 7)
    truth = [c for i in task.issues for c in i.categories]
    pool = truth if category_kind and truth else category_ids()
    if message_kind == 0:
        message = RATIONALE
    elif message_kind == 1 or not task.issues:
        message = _JUNK[where % len(_JUNK)]
    else:
        message = stuffing_text(task.issues[category % len(task.issues)])
    return Finding(line=line, category=pool[category % len(pool)], message=message)


def unrelated_to_file_issues(task: Task) -> list[str]:
    """Categories a finding anywhere may claim without touching a file-scoped issue.

    A file-scoped issue is found on any line, so "far from every issue" also means a category
    that is neither one of its categories nor a CWE relative of them.
    """
    taxonomy = default_taxonomy()
    wanted = [c for i in task.issues if i.scope == "file" for c in i.categories]
    return [
        c for c in category_ids() if all(taxonomy.relation(c, w) == Relation.NONE for w in wanted)
    ]


def findings(task: Task) -> st.SearchStrategy[list[Finding]]:
    """Honest, near-miss, wrong-category, vague and keyword-stuffed findings, and duplicates."""
    return _RAW_FINDINGS.map(lambda raws: [realise(task, raw) for raw in raws])


# A report as drawn: findings, a duplicate, how many oracle findings, a slice of the shotgun.
_RAW_REPORT = st.tuples(_RAW_FINDINGS, st.integers(0, 2), _INDEX, st.integers(0, 9), _INDEX)


def realise_report(task: Task, raw: tuple[Any, ...]) -> list[Finding]:
    """A drawn report against ``task`` (see :func:`reports`)."""
    raw_findings, duplicate, oracle_count, volley, start = raw
    report = [realise(task, r) for r in raw_findings]
    if report and duplicate == 2:
        report.append(report[start % len(report)])  # an exact duplicate
    right = oracle(task)
    if right:
        report += [right[(start + n) % len(right)] for n in range(oracle_count % (len(right) + 2))]
    if volley == 0:
        everything = _shotgun(task.line_count)
        first = start % len(everything)
        report += everything[first : first + 40]
    return report


def reports(task: Task) -> st.SearchStrategy[list[Finding]]:
    """Mixes: drawn findings plus, sometimes, a duplicate, oracle findings, a shotgun slice."""
    return _RAW_REPORT.map(lambda raw: realise_report(task, raw))


def cases(task_strategy: st.SearchStrategy[Task]) -> st.SearchStrategy[tuple[Task, list[Finding]]]:
    """(task, report) pairs, with the report drawn by a strategy built once."""
    return st.tuples(task_strategy, _RAW_REPORT).map(lambda c: (c[0], realise_report(*c)))
