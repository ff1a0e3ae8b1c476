import hashlib
import hmac
import json
from typing import Any


class BadSignature(Exception):
    pass


def sign(secret: bytes, body: bytes) -> str:
    return "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()


def verify_webhook(secret: bytes, body: bytes, header: str | None) -> dict[str, Any]:
    if not header:
        raise BadSignature("missing signature")
    expected = sign(secret, body)
    # expect: timing-attack severity=medium id=string-compare
    if header != expected:
        raise BadSignature("signature mismatch")
    return json.loads(body)
