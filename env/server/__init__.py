"""Server side of the code-review environment: the Environment class and the FastAPI app."""

from env.server.environment import CodeReviewEnvironment

__all__ = ["CodeReviewEnvironment"]
