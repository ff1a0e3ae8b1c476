"""The reward policy and the report it produces.

The score is built from parts a person can check by hand::

    review = recall + penalties                      (clamped to [0, 1])
    recall = sum(weight_i * credit_i) / sum(weight_i)   (1.0 on a task with no issues)
    credit = category quality * location quality   (see matching.py; exact line = 1.0)
    weight = severity weight * (security multiplier if the issue is a security issue)

    penalties, each per finding: false positive, finding on a safe look-alike (ok: mark),
    duplicate, vague (a message of fewer than ``vague_min_words`` words).

Inside an environment episode (``EpisodeProgress`` given), the score also rewards fixing and
finishing, and charges for hints::

    episode = review * (1 - patch_bonus - finalize_bonus)
              + patch_bonus * resolved + finalize_bonus * finalized - hint_penalty * hints

(on a task without issues there is nothing to patch, and the patch share goes to review).
Every default below is documented in the README; change them by constructing a policy.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from graderlib.locate import Span
from graderlib.taxonomy import Relation, Severity

Status = Literal["matched", "duplicate", "false_positive", "ok_violation"]
RelationName = Literal["exact", "parent_child", "sibling", "none"]


class RewardPolicy(BaseModel):
    """How matches become a score. Frozen, so a policy can be shared and hashed."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    severity_weights: dict[Severity, float] = Field(
        default_factory=lambda: {
            Severity.CRITICAL: 4.0,
            Severity.HIGH: 3.0,
            Severity.MEDIUM: 2.0,
            Severity.LOW: 1.0,
        }
    )
    security_multiplier: float = Field(default=1.5, ge=1.0)
    near_lines: int = Field(default=2, ge=0, le=50)
    line_bonus: float = Field(default=0.1, ge=0.0, lt=1.0)
    parent_child_credit: float = Field(default=0.5, ge=0.0, le=1.0)
    sibling_credit: float = Field(default=0.0, ge=0.0, le=1.0)
    false_positive_penalty: float = Field(default=0.1, ge=0.0)
    ok_violation_penalty: float = Field(default=0.2, ge=0.0)
    duplicate_penalty: float = Field(default=0.1, ge=0.0)
    vague_penalty: float = Field(default=0.05, ge=0.0)
    vague_min_words: int = Field(default=3, ge=0)
    recommendation_weight: float = Field(default=0.0, ge=0.0, le=1.0)
    hint_penalty: float = Field(default=0.05, ge=0.0)
    patch_bonus: float = Field(default=0.15, ge=0.0, le=0.5)
    finalize_bonus: float = Field(default=0.05, ge=0.0, le=0.5)

    @model_validator(mode="after")
    def _complete_weights(self) -> RewardPolicy:
        missing = set(Severity) - set(self.severity_weights)
        if missing:
            raise ValueError(f"severity_weights lacks {sorted(s.value for s in missing)}")
        if any(w <= 0 for w in self.severity_weights.values()):
            raise ValueError("severity weights must be positive")
        return self

    def issue_weight(self, severity: Severity, security: bool) -> float:
        return self.severity_weights[severity] * (self.security_multiplier if security else 1.0)

    def category_credit(self, relation: Relation) -> float:
        """The category quality a reported category earns for an issue it relates to so."""
        if relation == Relation.EXACT:
            return 1.0
        if relation == Relation.PARENT_CHILD:
            return self.parent_child_credit
        if relation == Relation.SIBLING:
            return self.sibling_credit
        return 0.0


class EpisodeProgress(BaseModel):
    """What an environment episode adds to a review: hints taken, a patch, finishing."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    hints_used: int = Field(default=0, ge=0)
    patch_resolved: bool = False
    finalized: bool = False


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
        verdicts = [
            v
            if v.status in ("matched", "duplicate")
            else v.model_copy(
                update={
                    "reason": PUBLIC_REASONS[v.status],
                    "relation": "none",
                    "category_quality": 0.0,
                    "location_quality": 0.0,
                }
            )
            for v in self.verdicts
        ]
        return self.model_copy(update={"missed": [], "verdicts": verdicts, "redacted_view": True})


PUBLIC_REASONS: dict[Status, str] = {
    "matched": "matched an issue",
    "duplicate": "the issue it points at was already reported",
    "false_positive": "no issue of this category at this location",
    "ok_violation": "this code is a safe look-alike: the reported category does not apply here",
}
