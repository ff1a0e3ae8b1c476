"""The reward policy and ALL of the score's arithmetic: the one place findings become points.

The score is built from parts a person can check by hand::

    credit  = category credit * location credit       (RewardPolicy.category_credit,
                                                        RewardPolicy.location_credit)
    weight  = severity weight * (security multiplier if the issue is a security issue)
    points  = weight * credit / sum of all issues' weights         (a matched finding)
    recall  = sum of matched findings' points         (1.0 on a task with no issues)
    review  = recall - penalties                      (clamped to [0, 1])

    penalties, each per finding: false positive, finding on a safe look-alike (ok: mark),
    duplicate, vague (a message of fewer than ``vague_min_words`` words).

With ``recommendation_weight`` = s > 0, a matched finding earns only ``1 - s`` of its credit
for being right, and the share ``s`` in proportion to the issue's fix keywords it names.
``line_bonus`` and ``recommendation_bonus`` in the components are parts of recall (what the
exact line and the keywords earned), shown for explanation and never added again.

Inside an environment episode (``EpisodeProgress`` given), the score also rewards fixing and
finishing, and charges for hints::

    episode = review * (1 - patch_bonus - finalize_bonus)
              + patch_bonus * resolved + finalize_bonus * finalized - hint_penalty * hints

(on a task without issues there is nothing to patch, and the patch share goes to review).
Every default below is documented in the README; change them by constructing a policy.

Which finding is matched to which issue is ``matching.py``'s job, and how the report reads is
``report.py``'s; both take every number from here.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel, ConfigDict, Field, model_validator

from graderlib.near import NEAR_LINES
from graderlib.taxonomy import Relation, Severity


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
    near_lines: int = Field(default=NEAR_LINES, ge=0, le=50)
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

    def location_credit(self, distance: int, exact_line: bool = False) -> float:
        """The location quality of a finding ``distance`` lines from an issue (0: overlapping).

        ``k = near_lines``, ``b = line_bonus``::

            exact first line (or any line, for a file-scope issue)   1
            overlaps the issue's span                                 1 - b
            d lines away, 1 <= d <= k                                 (1 - b) * (1 - d / (k + 1))
            further                                                   0
        """
        if exact_line:
            return 1.0
        k = self.near_lines
        if distance > k:
            return 0.0
        return (1.0 - self.line_bonus) * (1.0 - distance / (k + 1))

    def review_share(self, has_issues: bool) -> float:
        """The review's weight in an episode: what the patch and finalize bonuses leave.

        A task without issues has nothing to patch, so its patch share goes to the review.
        """
        return 1.0 - (self.patch_bonus if has_issues else 0.0) - self.finalize_bonus

    def episode_score(
        self, review: float, has_issues: bool, episode: EpisodeProgress
    ) -> tuple[float, dict[str, float]]:
        """An episode's score from its review's, and the episode's terms for the components."""
        patch_share = self.patch_bonus if has_issues else 0.0
        review_share = self.review_share(has_issues)
        patch = patch_share if episode.patch_resolved else 0.0
        finalize = self.finalize_bonus if episode.finalized else 0.0
        hints = self.hint_penalty * episode.hints_used
        terms = {"hint_penalty": round(hints, 6), "patch_bonus": patch, "finalize_bonus": finalize}
        return clamp(review * review_share + patch + finalize - hints), terms


class EpisodeProgress(BaseModel):
    """What an environment episode adds to a review: hints taken, a patch, finishing."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    hints_used: int = Field(default=0, ge=0)
    patch_resolved: bool = False
    finalized: bool = False


def keyword_fraction(message: str, recommendation: str | None, keywords: Sequence[str]) -> float:
    """The share of an issue's fix keywords a finding names (all of none, if it has none)."""
    if not keywords:
        return 1.0
    text = f"{message} {recommendation or ''}".lower()
    return sum(k.lower() in text for k in keywords) / len(keywords)


@dataclass(slots=True)
class ReviewTerms:
    """The review's terms, summed finding by finding; each method returns the points it adds.

    A plain mutable tally, not a model: grading adds to it once per finding, on every step of
    every episode, and pydantic's validation there would cost more than the grading itself.
    """

    policy: RewardPolicy
    total_weight: float  # the sum of the task's issue weights; 0 for a task without issues
    matched_recall: float = 0.0
    line_bonus: float = 0.0
    recommendation_bonus: float = 0.0
    # Penalty totals by kind, and what one finding of each kind costs under the policy.
    penalties: dict[str, float] = field(init=False)
    cost: dict[str, float] = field(init=False)

    def __post_init__(self) -> None:
        policy = self.policy
        self.cost = {
            "false_positive": policy.false_positive_penalty,
            "ok_violation": policy.ok_violation_penalty,
            "duplicate": policy.duplicate_penalty,
            "vague": policy.vague_penalty,
        }
        self.penalties = dict.fromkeys(self.cost, 0.0)

    def matched(
        self,
        weight: float,
        category_quality: float,
        location_quality: float,
        exact_line: bool,
        keyword_fraction: float,
    ) -> float:
        """A finding matched to an issue of ``weight``: its share of recall."""
        policy = self.policy
        total = self.total_weight
        credit = category_quality * location_quality
        share = policy.recommendation_weight
        if share:
            self.recommendation_bonus += weight * credit * share * keyword_fraction / total
            credit *= (1 - share) + share * keyword_fraction
        points = weight * credit / total
        self.matched_recall += points
        if exact_line:
            self.line_bonus += weight * category_quality * policy.line_bonus / total
        return points

    def penalty(self, kind: str) -> float:
        """One penalty of ``kind`` (a status, or "vague"): the (negative) points it adds."""
        cost = self.cost[kind]
        self.penalties[kind] += cost
        return -cost

    @property
    def recall(self) -> float:
        """Matched recall; a task without issues has nothing to find, so all of it is found."""
        return self.matched_recall if self.total_weight else 1.0

    def review(self) -> float:
        """The review score: recall less every penalty, clamped to [0, 1]."""
        return clamp(self.recall - sum(self.penalties.values()))

    def components(self) -> dict[str, float]:
        """The terms as a report shows them (rounded to 6 places)."""
        return {
            "recall": round(self.recall, 6),
            "line_bonus": round(self.line_bonus, 6),
            "recommendation_bonus": round(self.recommendation_bonus, 6),
            **{f"{kind}_penalty": round(total, 6) for kind, total in self.penalties.items()},
        }


def clamp(value: float) -> float:
    return min(1.0, max(0.0, value))
