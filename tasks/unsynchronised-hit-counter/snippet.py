import threading
from collections import defaultdict


class HitCounter:
    """Counts hits per route; shared by every request thread."""

    def __init__(self) -> None:
        self.hits: defaultdict[str, int] = defaultdict(int)
        self.total = 0
        self.started = threading.Event()

    def record(self, route: str) -> None:
        # expect: missing-lock severity=high id=unlocked-increment
        self.hits[route] += 1
        self.total += 1

    def snapshot(self) -> dict[str, int]:
        return dict(self.hits)

    def top(self, n: int = 5) -> list[tuple[str, int]]:
        return sorted(self.snapshot().items(), key=lambda kv: kv[1], reverse=True)[:n]
