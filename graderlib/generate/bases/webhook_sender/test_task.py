import hashlib
import hmac
import io
import logging
import warnings

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from snippet import WebhookSender, is_test_event, signature


class Reply(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def recorder(failures=0):
    seen = []

    def opener(request, *args, **kwargs):
        seen.append((request.full_url, kwargs.get("timeout"), request.headers))
        if len(seen) <= failures:
            raise OSError("refused")
        return Reply(b"")

    return opener, seen


def test_signature_is_hmac_sha256():
    assert signature(b"k", b"body") == hmac.new(b"k", b"body", hashlib.sha256).hexdigest()


def test_retries_use_every_attempt_and_timeouts():
    opener, seen = recorder(failures=2)
    assert WebhookSender(opener, attempts=3).deliver("http://a", {"type": "x"}, b"k") == 3
    assert all(timeout is not None for _, timeout, _ in seen)
    opener, seen = recorder(failures=5)
    with pytest.raises(ConnectionError):
        WebhookSender(opener, attempts=2).deliver("http://a", {}, b"k")
    assert len(seen) == 2


def test_each_sender_targets_its_own_url():
    opener, seen = recorder()
    senders = WebhookSender(opener).senders_for(["http://a", "http://b"], b"k")
    senders[0]({"type": "x"})
    assert seen[0][0] == "http://a"


def test_secret_not_logged(caplog):
    opener, _ = recorder(failures=1)
    with caplog.at_level(logging.DEBUG):
        WebhookSender(opener).deliver("http://a", {"type": "x"}, b"very-secret-key")
    assert "very-secret-key" not in caplog.text


def test_ping_events():
    assert is_test_event({"type": " ping ".strip()})
    assert not is_test_event({"type": "paid"})
