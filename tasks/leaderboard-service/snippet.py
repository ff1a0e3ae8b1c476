import functools
import heapq
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Entry:
    player: str
    score: int


class Leaderboard:
    def __init__(self, clock: Callable[[], float] = time.monotonic, ttl: float = 5.0) -> None:
        self.scores: dict[str, int] = {}
        self.clock = clock
        self.ttl = ttl
        self._top_cache: dict[int, tuple[float, list[Entry]]] = {}

    def record(self, player: str, score: int) -> None:
        if score > self.scores.get(player, -1):
            self.scores[player] = score

    def top(self, n: int = 10) -> list[Entry]:
        now = self.clock()
        cached = self._top_cache.get(n)
        if cached and now - cached[0] < self.ttl:
            return cached[1]
        best = heapq.nlargest(n, self.scores.items(), key=lambda item: item[1])
        entries = [Entry(player, score) for player, score in best]
        self._top_cache[n] = (now, entries)
        return entries

    def rank(self, player: str) -> int:
        """1-based rank of ``player`` (ties share the better rank)."""
        score = self.scores[player]
        # expect: off-by-one severity=medium id=rank-zero-based
        return sum(1 for other in self.scores.values() if other > score)


# ok: cache-bug
@functools.lru_cache(maxsize=256)
def medal(rank: int) -> str:
    return {1: "gold", 2: "silver", 3: "bronze"}.get(rank, "")
