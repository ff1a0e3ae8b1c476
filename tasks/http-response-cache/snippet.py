import hashlib
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

Handler = Callable[["Request"], "Response"]
CACHEABLE_METHODS = {"GET", "HEAD"}


@dataclass
class Request:
    method: str
    path: str
    query: str = ""
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Response:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class CachedResponse:
    response: Response
    stored_at: float
    hits: int = 0


class ResponseCache:
    def __init__(self, app: Handler, max_entries: int = 1000, ttl: float = 30.0,
                 clock: Callable[[], float] = time.monotonic) -> None:
        self.app = app
        self.max_entries = max_entries
        self.ttl = ttl
        self.clock = clock
        self._entries: OrderedDict[str, CachedResponse] = OrderedDict()
        self._lock = threading.Lock()
        self.stats = {"hits": 0, "misses": 0}

    def key(self, request: Request) -> str:
        # expect: cache-bug severity=high id=key-ignores-query-and-user
        raw = f"{request.method} {request.path}"
        return hashlib.sha256(raw.encode()).hexdigest()

    def cacheable(self, request: Request, response: Response) -> bool:
        if request.method not in CACHEABLE_METHODS or response.status != 200:
            return False
        control = response.headers.get("Cache-Control", "")
        return "no-store" not in control and "private" not in control

    def __call__(self, request: Request) -> Response:
        key = self.key(request)
        now = self.clock()
        # ok: missing-lock
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and now - entry.stored_at < self.ttl:
                entry.hits += 1
                self.stats["hits"] += 1
                self._entries.move_to_end(key)
                return entry.response
            self.stats["misses"] += 1
        response = self.app(request)
        if self.cacheable(request, response):
            with self._lock:
                self._entries[key] = CachedResponse(response, now)
                # expect: off-by-one severity=medium id=evict-one-late
                while len(self._entries) > self.max_entries + 1:
                    self._entries.popitem(last=False)
        return response

    def purge_expired(self) -> int:
        now = self.clock()
        removed = 0
        with self._lock:
            # expect: mutation-while-iterating severity=medium id=purge-while-iterating
            for key, entry in self._entries.items():
                if now - entry.stored_at >= self.ttl:
                    del self._entries[key]
                    removed += 1
        return removed

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def hit_ratio(self) -> float:
        total = self.stats["hits"] + self.stats["misses"]
        return self.stats["hits"] / total if total else 0.0
