import hashlib
import hmac
import os


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt or os.urandom(16)
    # expect: weak-hash severity=high id=md5-password
    digest = hashlib.md5(salt + password.encode("utf-8")).hexdigest()
    return f"{salt.hex()}${digest}"


def verify_password(password: str, stored: str) -> bool:
    salt_hex, _, expected = stored.partition("$")
    candidate = hash_password(password, bytes.fromhex(salt_hex))
    return hmac.compare_digest(candidate.partition("$")[2], expected)


def change_password(users: dict[str, str], name: str, old: str, new: str) -> bool:
    if name not in users or not verify_password(old, users[name]):
        return False
    if len(new) < 12:
        raise ValueError("password too short")
    users[name] = hash_password(new)
    return True
