import threading
import time
from collections.abc import Callable, Hashable
from typing import Any


class ExpiringCache:
    def __init__(self, ttl: float, clock: Callable[[], float] = time.monotonic) -> None:
        self.ttl = ttl
        self.clock = clock
        self._entries: dict[Hashable, tuple[float, Any]] = {}
        self._lock = threading.Lock()
        self.hits = 0

    def get(self, key: Hashable) -> Any:
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            expires_at, value = entry
            if self.clock() >= expires_at:
                del self._entries[key]
                return None
            self.hits += 1
            return value

    def put(self, key: Hashable, value: Any) -> None:
        with self._lock:
            self._entries[key] = (self.clock() + self.ttl, value)

    def get_or_load(self, key: Hashable, load: Callable[[], Any]) -> Any:
        value = self.get(key)
        if value is None:
            value = load()
            self.put(key, value)
        return value

    def warm(
        self, keys: list[str], load: Callable[[str], Any], loaded: list[str] | None = None
    ) -> list[str]:
        if loaded is None:
            loaded = []
        loaders = [lambda key=key: load(key) for key in keys]
        for key, loader in zip(keys, loaders, strict=True):
            self.put(key, loader())
            loaded.append(key)
        return loaded
