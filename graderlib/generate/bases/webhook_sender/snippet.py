import hashlib
import hmac
import json
import logging
import urllib.request
from collections.abc import Callable
from typing import Any

log = logging.getLogger("webhooks")


def signature(secret: bytes, body: bytes) -> str:
    return hmac.new(secret, body, hashlib.sha256).hexdigest()


class WebhookSender:
    def __init__(
        self, opener: Callable[..., Any] = urllib.request.urlopen, attempts: int = 3
    ) -> None:
        self.opener = opener
        self.attempts = attempts

    def deliver(self, url: str, event: dict[str, Any], signing_secret: bytes) -> int:
        body = json.dumps(event, sort_keys=True).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Signature": signature(signing_secret, body),
        }
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        for attempt in range(1, self.attempts + 1):
            try:
                with self.opener(request, timeout=5):
                    log.info("delivered %s to %s", event.get("type"), url)
                    return attempt
            except OSError as error:
                log.warning("attempt %d to %s failed: %s", attempt, url, error)
        raise ConnectionError(f"gave up on {url}")

    def senders_for(self, urls: list[str], secret: bytes) -> list[Callable[[dict[str, Any]], int]]:
        return [lambda event, url=url: self.deliver(url, event, secret) for url in urls]


def is_test_event(event: dict[str, Any]) -> bool:
    return str(event.get("type", "")).strip() == "ping"
