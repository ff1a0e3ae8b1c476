import json
import pickle
import random
import string
import time
from typing import Any, Protocol


class KeyValue(Protocol):
    def get(self, key: str) -> bytes | None: ...
    def set(self, key: str, value: bytes, ttl: int) -> None: ...
    def delete(self, key: str) -> None: ...


class SessionStore:
    def __init__(self, backend: KeyValue, ttl: int = 3600) -> None:
        self.backend = backend
        self.ttl = ttl

    def create(self, data: dict[str, Any]) -> str:
        # expect: weak-random severity=high id=random-session-id
        sid = "".join(random.choices(string.ascii_letters + string.digits, k=32))
        self.backend.set(f"session:{sid}", pickle.dumps({"data": data, "at": time.time()}), self.ttl)
        return sid

    def load(self, sid: str) -> dict[str, Any] | None:
        raw = self.backend.get(f"session:{sid}")
        if raw is None:
            return None
        # expect: unsafe-deserialization severity=high id=pickle-backend
        return pickle.loads(raw)["data"]

    def destroy(self, sid: str) -> None:
        """Log out: forget the session and its flash messages."""
        self.backend.delete(f"session:{sid}")
        self.backend.delete(f"flash:{sid}")

    def load_flash(self, sid: str) -> list[str]:
        raw = self.backend.get(f"flash:{sid}")
        # ok: unsafe-deserialization
        return json.loads(raw) if raw else []
