"""Old home of the reward policy and the report models, kept so existing imports still work.

The policy and the score's arithmetic are in ``graderlib.policy``; the report models in
``graderlib.report``. Import from ``graderlib`` itself: these names are its public API.
"""

from graderlib.policy import EpisodeProgress, RewardPolicy
from graderlib.report import (
    PUBLIC_REASONS,
    FindingVerdict,
    GradeReport,
    MissedIssue,
    RelationName,
    ScoreComponents,
    Status,
)

__all__ = [
    "PUBLIC_REASONS",
    "EpisodeProgress",
    "FindingVerdict",
    "GradeReport",
    "MissedIssue",
    "RelationName",
    "RewardPolicy",
    "ScoreComponents",
    "Status",
]
