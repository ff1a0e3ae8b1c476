import io
import json
import urllib.error

import pytest

from snippet import ApiError, Client


class Reply(io.BytesIO):
    status = 200

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_requests_carry_a_timeout():
    seen = []

    def opener(request, *args, **kwargs):
        seen.append(kwargs.get("timeout", args[0] if args else None))
        return Reply(json.dumps({"ok": True}).encode())

    assert Client("http://x", opener=opener).get("/a") == {"ok": True}
    assert seen and all(t is not None for t in seen)


def test_client_errors_are_not_retried():
    calls = []

    def opener(request, *args, **kwargs):
        calls.append(request)
        raise urllib.error.HTTPError(request.full_url, 404, "missing", {}, None)

    with pytest.raises(ApiError):
        Client("http://x", sleep=lambda s: None, opener=opener).get("/gone")
    assert len(calls) == 1


def test_server_errors_are_retried():
    calls = []

    def opener(request, *args, **kwargs):
        calls.append(request)
        if len(calls) < 3:
            raise urllib.error.HTTPError(request.full_url, 503, "busy", {}, None)
        return Reply(b"[]")

    assert Client("http://x", sleep=lambda s: None, opener=opener).get("/a") == []
    assert len(calls) == 3
