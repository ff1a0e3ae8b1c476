import hashlib
import hmac
import json
import logging
from typing import Any

log = logging.getLogger("relay")


class Rejected(Exception):
    pass


def expected_signature(secret: str, timestamp: str, body: bytes) -> str:
    mac = hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256)
    return mac.hexdigest()


def verify(secret: str, headers: dict[str, str], body: bytes) -> dict[str, Any]:
    timestamp = headers.get("X-Timestamp", "")
    signature = headers.get("X-Signature", "")
    expected = expected_signature(secret, timestamp, body)
    # expect: timing-attack severity=medium id=sig-eq
    if signature != expected:
        # expect: sensitive-data-in-logs severity=medium id=log-expected
        log.warning("bad signature %s (expected %s) for %s", signature, expected, headers)
        raise Rejected("bad signature")
    return json.loads(body)


def verify_internal_token(token: str, configured: str) -> bool:
    # ok: timing-attack
    return hmac.compare_digest(token.encode(), configured.encode())


def relay(secret: str, headers: dict[str, str], body: bytes, routes: dict[str, list[str]]) -> list[str]:
    event = verify(secret, headers, body)
    log.info("relaying %s event %s", event.get("type"), event.get("id"))
    return routes.get(str(event.get("type")), [])
