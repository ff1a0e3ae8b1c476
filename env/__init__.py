"""The graderlib code-review environment for OpenEnv: models, a typed client, and the server.

from env import CodeReviewAction, CodeReviewEnv

with CodeReviewEnv(base_url="http://127.0.0.1:8000").sync() as env:
    result = env.reset(task_id="sqli-user-lookup")
    result = env.step(CodeReviewAction(kind="hint"))

The client and models install on their own as ``graderlib-env`` (``pip install ./env``, import
name ``graderlib_env``; see env/pyproject.toml), which is why these imports are relative: the
same files are the package ``env`` in the repository and ``graderlib_env`` when installed.
"""

from .client import CodeReviewEnv
from .models import (
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
