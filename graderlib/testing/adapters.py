"""How the laws talk to a grader: the :class:`GraderAdapter` protocol and ready adapters.

The laws are written against graderlib's own :class:`~graderlib.Task` and
:class:`~graderlib.Finding`; an adapter turns them into whatever a grader under test takes and
returns one number. Most graders in code-review environments fit one of two shapes, so there
is an adapter for each:

- :class:`LineCategoryAdapter`: ground truth is a list of ``{"line", "category"}``;
- :class:`KeywordRubricAdapter`: ground truth is a rubric of ``{"line", "category", "keywords",
  "window"}`` items, as keyword-rubric graders write it.

An adapter declares what it offers in ``capabilities``; a law that needs a capability the
adapter lacks is skipped and says why (for example ``recall`` for the dense-optimum law).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol, runtime_checkable

from graderlib.findings import Finding
from graderlib.grading import grade
from graderlib.policy import RewardPolicy
from graderlib.task import Task
from graderlib.taxonomy import default_taxonomy

# What an adapter may offer beyond ``grade``; laws name the ones they need.
FILE_SCOPE = "file_scope"  # understands issues of ``scope = "file"`` (any line of the file)
# Claims a one-to-one optimal matching, and offers ``recall(task, findings)`` and
# ``pair_value(task, finding, issue_index)`` so the claim can be checked against a dense solve.
OPTIMAL_ASSIGNMENT = "optimal_assignment"


@runtime_checkable
class GraderAdapter(Protocol):
    """A grader under test, seen through graderlib's task and finding types."""

    name: str
    capabilities: frozenset[str]

    def grade(self, task: Task, findings: Sequence[Finding]) -> float:
        """The score of ``findings`` on ``task``; the laws expect it in [0, 1]."""
        ...


class GraderlibAdapter:
    """graderlib's own :func:`graderlib.grade` under a reward policy (the defaults if None)."""

    capabilities = frozenset({FILE_SCOPE, OPTIMAL_ASSIGNMENT})

    def __init__(self, policy: RewardPolicy | None = None, name: str = "graderlib") -> None:
        self.policy = policy or RewardPolicy()
        self.name = name

    def grade(self, task: Task, findings: Sequence[Finding]) -> float:
        return grade(task, findings, self.policy).score

    def recall(self, task: Task, findings: Sequence[Finding]) -> float:
        return grade(task, findings, self.policy).components.recall

    def pair_value(self, task: Task, finding: Finding, column: int) -> float:
        """One pair's share of recall, read from the documented rules, not from the matcher.

        An independent, dense reading of README's reward policy for a one-line finding:
        category credit x location credit x issue weight / total weight, where a finding on a
        safe look-alike marked ``ok:`` for its category, or outside the file, earns nothing,
        and an ``ok:`` mark lying between a near finding and its issue blocks the pair.
        """
        policy, taxonomy = self.policy, default_taxonomy()
        weights = [
            policy.issue_weight(i.severity, taxonomy.is_security(i.category)) for i in task.issues
        ]
        line, category = finding.line, finding.category
        marks = [c.span for c in task.clean if category in c.categories]
        if line > task.line_count or any(m.start <= line <= m.end for m in marks):
            return 0.0
        issue = task.issues[column]
        relation = max(taxonomy.relation(category, c) for c in issue.categories)
        start, end, near = issue.span.start, issue.span.end, policy.near_lines
        distance = max(0, start - line, line - end)
        if line == start or issue.scope == "file":
            location = 1.0
        elif distance <= near:
            low, high = (end, line) if line > end else (line, start)
            blocked = distance > 0 and any(m.start < high and m.end > low for m in marks)
            location = 0.0 if blocked else (1 - policy.line_bonus) * (1 - distance / (near + 1))
        else:
            location = 0.0
        credit = policy.category_credit(relation) * location
        return credit * weights[column] / sum(weights)


def ground_truth_lines(task: Task) -> list[dict[str, Any]]:
    """``[{"line", "category"}]``: each issue's first line and primary category.

    A file-scoped issue has no line of its own; it is given line 0, which a line matcher never
    reaches, so such graders simply cannot earn it (and the laws account for that).
    """
    return [
        {"line": 0 if i.scope == "file" else i.span.start, "category": i.category}
        for i in task.issues
    ]


def finding_dicts(findings: Sequence[Finding]) -> list[dict[str, Any]]:
    """Findings as plain dicts (``line``, ``category``, ``message``), as most graders take them."""
    return [{"line": f.line, "category": f.category, "message": f.message} for f in findings]


class LineCategoryAdapter:
    """A grader whose ground truth is a list of ``{"line": int, "category": str}``.

    ``grade_fn(ground_truth, findings) -> float`` receives :func:`ground_truth_lines` and
    :func:`finding_dicts`; override ``to_ground_truth`` for another conversion.
    """

    capabilities: frozenset[str] = frozenset()

    def __init__(
        self,
        grade_fn: Callable[[list[dict[str, Any]], list[dict[str, Any]]], float],
        name: str | None = None,
    ) -> None:
        self.grade_fn = grade_fn
        self.name: str = name or str(getattr(grade_fn, "__name__", "grader"))

    def to_ground_truth(self, task: Task) -> list[dict[str, Any]]:
        return ground_truth_lines(task)

    def grade(self, task: Task, findings: Sequence[Finding]) -> float:
        return float(self.grade_fn(self.to_ground_truth(task), finding_dicts(findings)))


def keyword_rubric(task: Task, window: int) -> list[dict[str, Any]]:
    """A keyword rubric for ``task``: per issue its line, category, words and a line window.

    The keywords are what a rubric author would write: the issue's fix keywords, else the words
    of its category (``sql-injection`` -> ``sql``, ``injection``).
    """
    return [
        {
            "line": i.span.start,
            "category": i.category,
            "keywords": list(i.fix_keywords) or i.category.split("-"),
            "window": window,
        }
        for i in task.issues
        if i.scope != "file"
    ]


class KeywordRubricAdapter:
    """A grader whose ground truth is a keyword rubric with a ±``window`` line tolerance."""

    capabilities: frozenset[str] = frozenset()

    def __init__(
        self,
        grade_fn: Callable[[list[dict[str, Any]], list[dict[str, Any]]], float],
        window: int = 3,
        name: str | None = None,
    ) -> None:
        self.grade_fn = grade_fn
        self.window = window
        self.name: str = name or str(getattr(grade_fn, "__name__", "grader"))

    def grade(self, task: Task, findings: Sequence[Finding]) -> float:
        rubric = keyword_rubric(task, self.window)
        return float(self.grade_fn(rubric, finding_dicts(findings)))


class FunctionAdapter:
    """Any ``grade(task, findings) -> float`` callable taking graderlib's own types."""

    capabilities: frozenset[str] = frozenset()

    def __init__(
        self, fn: Callable[[Task, Sequence[Finding]], float], name: str | None = None
    ) -> None:
        self.fn = fn
        self.name: str = name or str(getattr(fn, "__name__", "grader"))

    def grade(self, task: Task, findings: Sequence[Finding]) -> float:
        return float(self.fn(task, findings))


def as_adapter(obj: object) -> GraderAdapter:
    """An adapter from what a user points at: an adapter, an adapter class, or a function.

    A class is instantiated without arguments; a plain callable is taken to be
    ``grade(task, findings) -> float``.
    """
    if isinstance(obj, type):
        obj = obj()
    if isinstance(obj, GraderAdapter):
        return obj
    if callable(obj):
        return FunctionAdapter(obj)
    raise TypeError(f"{obj!r} is neither a GraderAdapter nor a grade(task, findings) callable")
