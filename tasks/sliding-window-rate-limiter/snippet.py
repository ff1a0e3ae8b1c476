import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Decision:
    allowed: bool
    remaining: int
    retry_after: float


class RateLimiter:
    """At most ``limit`` requests per client in any ``window`` seconds."""

    def __init__(self, limit: int, window: float,
                 clock: Callable[[], float] = time.monotonic,
                 load_blocklist: Callable[[], set[str]] = set,
                 blocklist_ttl: float = 60.0) -> None:
        if limit < 1 or window <= 0:
            raise ValueError("limit and window must be positive")
        self.limit = limit
        self.window = window
        self.clock = clock
        self.load_blocklist = load_blocklist
        self.blocklist_ttl = blocklist_ttl
        self._hits: defaultdict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()
        self._blocked: set[str] = set()
        self._blocked_at = float("-inf")

    def _blocklist(self) -> set[str]:
        now = self.clock()
        # expect: cache-bug severity=medium id=blocklist-never-refreshed
        if not self._blocked:
            self._blocked = self.load_blocklist()
            self._blocked_at = now
        return self._blocked

    def check(self, client: str) -> Decision:
        if client in self._blocklist():
            return Decision(False, 0, self.blocklist_ttl)
        now = self.clock()
        # ok: missing-lock
        with self._lock:
            hits = self._hits[client]
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            # expect: off-by-one severity=medium id=limit-plus-one
            if len(hits) > self.limit:
                return Decision(False, 0, hits[0] + self.window - now)
            hits.append(now)
            return Decision(True, self.limit - len(hits), 0.0)

    def reset(self, client: str) -> None:
        with self._lock:
            self._hits.pop(client, None)

    def clients(self) -> list[str]:
        with self._lock:
            return sorted(self._hits)

    def headers(self, decision: Decision) -> dict[str, str]:
        """Standard rate-limit response headers for ``decision``."""
        headers = {
            "X-RateLimit-Limit": str(self.limit),
            "X-RateLimit-Remaining": str(max(decision.remaining, 0)),
        }
        if not decision.allowed:
            headers["Retry-After"] = str(max(1, round(decision.retry_after)))
        return headers

    def forget_idle(self) -> int:
        now = self.clock()
        removed = 0
        # expect: missing-lock severity=high id=forget-unlocked
        for client in list(self._hits):
            hits = self._hits[client]
            if not hits or hits[-1] <= now - self.window:
                del self._hits[client]
                removed += 1
        return removed
