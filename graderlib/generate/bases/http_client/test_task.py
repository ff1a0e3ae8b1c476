import io
import json
import logging
import urllib.error
import warnings

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from snippet import ApiClient, ApiError


class Reply(io.BytesIO):
    status = 200

    def __init__(self, payload, content_type="application/json"):
        super().__init__(json.dumps(payload).encode())
        self.headers = {"Content-Type": "".join([content_type, "; charset=utf-8"])}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def scripted(*steps):
    calls = []

    def opener(request, *args, **kwargs):
        calls.append(kwargs.get("timeout"))
        step = steps[min(len(calls), len(steps)) - 1]
        if isinstance(step, int):
            raise urllib.error.HTTPError(request.full_url, step, "err", {}, None)
        return Reply(step)

    return opener, calls


def test_retries_until_success_with_a_timeout_on_every_call():
    opener, calls = scripted(503, 503, {"ok": True})
    client = ApiClient("http://x", "t0k3n", attempts=3, opener=opener, sleep=lambda s: None)
    assert client.get_json("/a") == {"ok": True}
    assert len(calls) == 3 and all(t is not None for t in calls)


def test_client_errors_surface():
    opener, _ = scripted(404)
    with pytest.raises(ApiError):
        ApiClient("http://x", "t", opener=opener, sleep=lambda s: None).get_json("/a")


def test_missing_item_is_a_lookup_error():
    opener, _ = scripted({"item": None})
    with pytest.raises(LookupError):
        ApiClient("http://x", "t", opener=opener).item_name(1)
    opener, _ = scripted({"item": {"name": "lamp"}})
    assert ApiClient("http://x", "t", opener=opener).item_name(1) == "lamp"


def test_tokens_never_logged(caplog):
    opener, _ = scripted(503, {"ok": 1})
    client = ApiClient("http://x", "first-secret", attempts=2, opener=opener, sleep=lambda s: None)
    with caplog.at_level(logging.DEBUG):
        client.get_json("/a")
        client.rotate_token("second-secret")
    assert "secret" not in caplog.text
