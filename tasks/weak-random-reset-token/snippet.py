import random
import string
import time

ALPHABET = string.ascii_letters + string.digits
TOKEN_TTL_SECONDS = 15 * 60


def new_reset_token(length: int = 32) -> str:
    # expect: weak-random severity=high id=random-token
    return "".join(random.choice(ALPHABET) for _ in range(length))


def issue_reset(store: dict[str, tuple[str, float]], email: str) -> str:
    token = new_reset_token()
    store[token] = (email, time.time() + TOKEN_TTL_SECONDS)
    return token


def redeem_reset(store: dict[str, tuple[str, float]], token: str) -> str | None:
    entry = store.pop(token, None)
    if entry is None:
        return None
    email, expires_at = entry
    if time.time() > expires_at:
        return None
    return email
