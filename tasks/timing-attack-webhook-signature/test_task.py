import hmac

import pytest

import snippet


def test_accepts_valid_and_rejects_forged():
    body = b'{"event": "paid"}'
    assert snippet.verify_webhook(b"k", body, snippet.sign(b"k", body)) == {"event": "paid"}
    with pytest.raises(snippet.BadSignature):
        snippet.verify_webhook(b"k", body, "sha256=" + "0" * 64)


def test_comparison_is_constant_time(monkeypatch):
    calls = []
    real = hmac.compare_digest

    def recording(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(snippet.hmac, "compare_digest", recording)
    body = b"{}"
    snippet.verify_webhook(b"k", body, snippet.sign(b"k", body))
    assert calls
