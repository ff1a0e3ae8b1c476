"""The graded report: what became of every finding, the score term by term, what was missed.

Models only; the numbers in them come from ``policy.py`` and are assembled by ``grading.py``.
A report holds ground truth (missed issues, reasons naming issues), so what an agent may see
is :meth:`GradeReport.redacted`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from graderlib.locate import Span
from graderlib.taxonomy import Severity

Status = Literal["matched", "duplicate", "false_positive", "ok_violation"]
RelationName = Literal["exact", "parent_child", "sibling", "none"]


class FindingVerdict(BaseModel):
    """What became of one finding, and why. ``index`` is its position in the input."""

    model_config = ConfigDict(frozen=True)

    index: int
    line: int
    category: str
    status: Status
    issue_id: str | None = None
    duplicate_of: int | None = None
    relation: RelationName = "none"
    category_quality: float = 0.0
    location_quality: float = 0.0
    exact_line: bool = False
    vague: bool = False
    points: float
    reason: str

    def redacted(self) -> FindingVerdict:
        """This verdict as an agent may see it: an unmatched finding's reason says nothing
        about where the issues are (see :meth:`GradeReport.redacted`)."""
        if self.status in ("matched", "duplicate"):
            return self
        return self.model_copy(
            update={
                "reason": PUBLIC_REASONS[self.status],
                "relation": "none",
                "category_quality": 0.0,
                "location_quality": 0.0,
            }
        )


class MissedIssue(BaseModel):
    """Ground truth nobody found. Left out of redacted reports."""

    model_config = ConfigDict(frozen=True)

    id: str
    category: str
    severity: Severity
    span: Span
    hint: str | None = None
    explanation: str | None = None


class ScoreComponents(BaseModel):
    """The score, term by term; ``review`` and ``score`` are their clamped sums."""

    model_config = ConfigDict(frozen=True)

    recall: float
    line_bonus: float
    recommendation_bonus: float
    false_positive_penalty: float
    ok_violation_penalty: float
    duplicate_penalty: float
    vague_penalty: float
    hint_penalty: float = 0.0
    patch_bonus: float = 0.0
    finalize_bonus: float = 0.0


class GradeReport(BaseModel):
    """The explainable result of grading one set of findings against one task."""

    model_config = ConfigDict(frozen=True)

    task_id: str
    score: float = Field(ge=0.0, le=1.0)
    review_score: float = Field(ge=0.0, le=1.0)
    components: ScoreComponents
    issues_total: int
    issues_found: int
    open_by_severity: dict[Severity, int]
    matched_categories: list[str]
    verdicts: list[FindingVerdict]
    missed: list[MissedIssue]
    false_positives: list[int]
    duplicates: list[int]
    redacted_view: bool = False

    def redacted(self) -> GradeReport:
        """The report an agent may see: nothing about ground truth it has not found.

        Missed issues go (their count and severities stay, as the environment shows them);
        reasons for unmatched findings become generic, because "the nearest issue is 5 lines
        away" would tell an agent where to look.
        """
        verdicts = [v.redacted() for v in self.verdicts]
        return self.model_copy(update={"missed": [], "verdicts": verdicts, "redacted_view": True})


@dataclass(frozen=True, slots=True)
class GradeSummary:
    """A report's numbers without its verdicts: what an episode needs after every step.

    Validating a whole :class:`GradeReport` (one model per finding) on every step cost more
    than the step's grading; an episode shows these numbers after each step and builds the
    full report only when asked. Every field equals the same field of the report graded from
    the same findings (``tests/test_running_grade.py`` checks it). It holds ground truth
    (``found_issue_ids``), like the report: it is the grader's, never the agent's.
    """

    score: float
    review_score: float
    components: Mapping[str, float]  # the fields of ScoreComponents that are set
    issues_total: int
    issues_found: int
    open_by_severity: Mapping[Severity, int]
    matched_categories: tuple[str, ...]
    found_issue_ids: frozenset[str]


def public_reason(status: Status, reason: str) -> str:
    """A verdict's reason as an agent may see it (see :meth:`FindingVerdict.redacted`)."""
    return reason if status in ("matched", "duplicate") else PUBLIC_REASONS[status]


PUBLIC_REASONS: dict[Status, str] = {
    "matched": "matched an issue",
    "duplicate": "the issue it points at was already reported",
    "false_positive": "no issue of this category at this location",
    "ok_violation": "this code is a safe look-alike: the reported category does not apply here",
}
