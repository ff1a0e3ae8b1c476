import hmac
import random

import snippet


def test_codes_do_not_follow_random_seed():
    verifier = snippet.Verifier()
    random.seed(3)
    first = (verifier.issue("a@example.com"), verifier.issue("b@example.com"))
    random.seed(3)
    second = (verifier.issue("c@example.com"), verifier.issue("d@example.com"))
    assert first != second


def test_verify_uses_constant_time_compare(monkeypatch):
    verifier = snippet.Verifier()
    code = verifier.issue("A@example.com")
    used = []
    real = hmac.compare_digest
    monkeypatch.setattr(snippet.hmac, "compare_digest", lambda x, y: used.append(1) or real(x, y))
    assert verifier.verify("a@example.com", code)
    assert used
