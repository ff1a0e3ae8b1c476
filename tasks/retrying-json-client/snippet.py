import json
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

RETRYABLE = {429, 502, 503, 504}


class ApiError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(f"{status}: {message}")
        self.status = status


class Client:
    def __init__(self, base_url: str, attempts: int = 4,
                 sleep: Callable[[float], None] = time.sleep,
                 opener: Callable[..., Any] = urllib.request.urlopen) -> None:
        self.base_url = base_url.rstrip("/")
        self.attempts = attempts
        self.sleep = sleep
        self.opener = opener

    def _once(self, request: urllib.request.Request) -> Any:
        try:
            # expect: request-without-timeout severity=medium id=get-no-timeout
            with self.opener(request) as response:
                return json.load(response)
        except urllib.error.HTTPError as error:
            raise ApiError(error.code, error.reason) from error

    def get(self, path: str) -> Any:
        request = urllib.request.Request(f"{self.base_url}{path}")
        for attempt in range(self.attempts):
            try:
                return self._once(request)
            # expect: retry-misuse severity=medium id=retry-every-error
            except ApiError:
                if attempt == self.attempts - 1:
                    raise
                self.sleep(0.5 * 2 ** attempt)
        raise AssertionError("unreachable")

    def health(self) -> bool:
        try:
            # ok: request-without-timeout
            with self.opener(f"{self.base_url}/health", timeout=2) as response:
                return bool(response.status == 200)
        except (OSError, urllib.error.URLError):
            return False
