import hashlib
import hmac
import logging

logger = logging.getLogger("portal.auth")


def _digest(password: str, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", password.encode(), salt, 200_000)


def login(users: dict[str, tuple[bytes, bytes]], username: str, password: str) -> bool:
    record = users.get(username)
    if record is None:
        logger.info("login failed: unknown user %s", username)
        return False
    salt, stored = record
    if not hmac.compare_digest(_digest(password, salt), stored):
        # expect: sensitive-data-in-logs severity=medium id=log-password
        logger.warning("login failed for %s with password %r", username, password)
        return False
    logger.info("login ok: %s", username)
    return True
