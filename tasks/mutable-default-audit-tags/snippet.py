import time
from typing import Any

SENSITIVE_ACTIONS = {"delete", "export", "grant"}


# expect: mutable-default-argument severity=medium id=tags-default
def make_event(action: str, actor: str, tags: list[str] = [], **fields: Any) -> dict[str, Any]:
    """Build an audit event; sensitive actions are tagged for review."""
    if action in SENSITIVE_ACTIONS:
        tags.append("review")
    return {
        "action": action,
        "actor": actor,
        "at": time.time(),
        "tags": tags,
        **fields,
    }


def events_for_batch(actor: str, actions: list[str]) -> list[dict[str, Any]]:
    return [make_event(action, actor, batch=True) for action in actions]


def needs_review(event: dict[str, Any]) -> bool:
    return "review" in event["tags"]
