import hmac
import logging

import pytest

import snippet


def signed(secret, body, ts="1700000000"):
    return {"X-Timestamp": ts, "X-Signature": snippet.expected_signature(secret, ts, body)}


def test_relay_routes_valid_events():
    body = b'{"type": "paid", "id": "e1"}'
    assert snippet.relay("s3", signed("s3", body), body, {"paid": ["billing"]}) == ["billing"]


def test_rejection_does_not_log_the_valid_signature(caplog):
    body = b'{"type": "paid"}'
    headers = {"X-Timestamp": "1", "X-Signature": "forged"}
    with caplog.at_level(logging.DEBUG), pytest.raises(snippet.Rejected):
        snippet.verify("s3", headers, body)
    assert snippet.expected_signature("s3", "1", body) not in caplog.text


def test_uses_constant_time_comparison(monkeypatch):
    seen = []
    real = hmac.compare_digest
    monkeypatch.setattr(snippet.hmac, "compare_digest", lambda a, b: seen.append(1) or real(a, b))
    body = b"{}"
    snippet.verify("s3", signed("s3", body), body)
    assert seen
