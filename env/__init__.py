"""The graderlib code-review environment for OpenEnv: models, a typed client, and the server.

from env import CodeReviewAction, CodeReviewEnv

with CodeReviewEnv(base_url="http://127.0.0.1:8000").sync() as env:
    result = env.reset(task_id="sqli-user-lookup")
    result = env.step(CodeReviewAction(kind="hint"))
"""

from env.client import CodeReviewEnv
from env.models import (
    CodeReviewAction,
    CodeReviewObservation,
    CodeReviewState,
    HistoryEntry,
    ReviewFinding,
)

__all__ = [
    "CodeReviewAction",
    "CodeReviewEnv",
    "CodeReviewObservation",
    "CodeReviewState",
    "HistoryEntry",
    "ReviewFinding",
]
