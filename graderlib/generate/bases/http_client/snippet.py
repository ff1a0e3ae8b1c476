import json
import logging
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from typing import Any

log = logging.getLogger("partner")
RETRYABLE = {429, 502, 503, 504}


class ApiError(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(f"{status} {reason}")
        self.status = status


class ApiClient:
    def __init__(
        self,
        base_url: str,
        api_token: str,
        attempts: int = 3,
        opener: Callable[..., Any] = urllib.request.urlopen,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.attempts = attempts
        self._opener = opener
        self._sleep = sleep
        self._headers = {"Authorization": f"Bearer {api_token}", "Accept": "application/json"}

    def _once(self, path: str) -> Any:
        request = urllib.request.Request(self.base_url + path, headers=self._headers)
        try:
            with self._opener(request, timeout=10) as response:
                if response.headers.get("Content-Type", "").split(";")[0] != "application/json":
                    raise ApiError(response.status, "not json")
                return json.load(response)
        except urllib.error.HTTPError as error:
            raise ApiError(error.code, str(error.reason)) from error

    def get_json(self, path: str) -> Any:
        for attempt in range(self.attempts):
            try:
                return self._once(path)
            except ApiError as error:
                if error.status not in RETRYABLE or attempt + 1 == self.attempts:
                    raise
                log.warning("retrying %s after %s", path, error.status)
                self._sleep(0.2 * 2**attempt)
        raise ApiError(0, "no attempts")

    def rotate_token(self, new_token: str) -> None:
        self._headers["Authorization"] = f"Bearer {new_token}"
        log.info("rotated partner token for %s", self.base_url)

    def item_name(self, item_id: int) -> str:
        item = self.get_json(f"/items/{item_id}").get("item")
        if item is None:
            raise LookupError(item_id)
        return str(item["name"])
