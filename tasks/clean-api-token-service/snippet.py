import hashlib
import hmac
import logging
import secrets
import time
from dataclasses import dataclass

log = logging.getLogger("tokens")


@dataclass
class TokenRecord:
    owner: str
    digest: bytes
    expires_at: float


class TokenService:
    """Issues opaque API tokens; only their SHA-256 digests are stored."""

    def __init__(self, ttl: float = 30 * 24 * 3600) -> None:
        self.ttl = ttl
        self._records: dict[str, TokenRecord] = {}

    def issue(self, owner: str) -> str:
        token_id = secrets.token_hex(8)
        secret = secrets.token_urlsafe(32)
        digest = hashlib.sha256(secret.encode()).digest()
        self._records[token_id] = TokenRecord(owner, digest, time.time() + self.ttl)
        log.info("issued token %s for %s", token_id, owner)
        return f"{token_id}.{secret}"

    def verify(self, token: str) -> str | None:
        token_id, _, secret = token.partition(".")
        record = self._records.get(token_id)
        if record is None or time.time() >= record.expires_at:
            return None
        candidate = hashlib.sha256(secret.encode()).digest()
        # ok: timing-attack
        if not hmac.compare_digest(candidate, record.digest):
            log.warning("bad secret for token %s", token_id)
            return None
        return record.owner

    def revoke(self, token_id: str) -> bool:
        return self._records.pop(token_id, None) is not None
