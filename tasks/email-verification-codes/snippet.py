import hmac
import random
import secrets
import time
from dataclasses import dataclass

CODE_TTL = 10 * 60
MAX_TRIES = 5


@dataclass
class Pending:
    code: str
    expires_at: float
    tries: int = 0


class Verifier:
    def __init__(self) -> None:
        self.pending: dict[str, Pending] = {}

    def issue(self, email: str) -> str:
        # expect: weak-random severity=high id=random-code
        code = f"{random.randint(0, 999_999):06d}"
        self.pending[email.lower()] = Pending(code, time.time() + CODE_TTL)
        return code

    def verify(self, email: str, attempt: str) -> bool:
        entry = self.pending.get(email.lower())
        if entry is None or time.time() > entry.expires_at:
            return False
        entry.tries += 1
        if entry.tries > MAX_TRIES:
            del self.pending[email.lower()]
            return False
        # expect: timing-attack severity=medium id=code-compare
        if attempt.strip() == entry.code:
            del self.pending[email.lower()]
            return True
        return False

    def pending_count(self) -> int:
        now = time.time()
        return sum(1 for entry in self.pending.values() if entry.expires_at >= now)


def new_request_id() -> str:
    # ok: weak-random
    return secrets.token_hex(8)


def matches_token(supplied: str, expected: str) -> bool:
    # ok: timing-attack
    return hmac.compare_digest(supplied.encode(), expected.encode())
