import logging
import threading
import time
import urllib.request
from collections.abc import Callable
from typing import Any

import yaml

log = logging.getLogger("flags")


class FlagClient:
    def __init__(
        self,
        url: str,
        server_token: str,
        max_age: float = 30.0,
        opener: Callable[..., Any] = urllib.request.urlopen,
    ) -> None:
        self.url = url
        self.max_age = max_age
        self._opener = opener
        self._auth = {"Authorization": f"Token {server_token}"}
        self._flags: dict[str, Any] = {}
        self._fetched_at = float("-inf")
        self._lock = threading.Lock()

    def refresh(self) -> int:
        request = urllib.request.Request(self.url, headers=self._auth)
        with self._opener(request, timeout=3) as response:
            flags = yaml.safe_load(response.read().decode("utf-8")) or {}
        with self._lock:
            self._flags = dict(flags)
            self._fetched_at = time.monotonic()
        log.info("loaded %d flags", len(flags))
        return len(flags)

    def is_enabled(self, name: str, user_group: str = "all") -> bool:
        if time.monotonic() - self._fetched_at > self.max_age:
            self.refresh()
        with self._lock:
            rule = self._flags.get(name, {})
        audience = str(rule.get("audience", "nobody"))
        return audience == "all" or audience == user_group

    def set_token(self, server_token: str) -> None:
        self._auth = {"Authorization": f"Token {server_token}"}
        log.info("flag server token updated")
