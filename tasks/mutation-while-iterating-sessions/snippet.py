import time
from dataclasses import dataclass


@dataclass
class Session:
    user: str
    expires_at: float


class SessionStore:
    def __init__(self) -> None:
        self.sessions: dict[str, Session] = {}

    def add(self, token: str, user: str, ttl: float) -> None:
        self.sessions[token] = Session(user, time.monotonic() + ttl)

    def reap(self, now: float | None = None) -> int:
        now = time.monotonic() if now is None else now
        removed = 0
        # expect: mutation-while-iterating severity=medium id=del-in-loop
        for token, session in self.sessions.items():
            if session.expires_at <= now:
                del self.sessions[token]
                removed += 1
        return removed
