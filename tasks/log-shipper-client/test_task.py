import importlib
import socket

import pytest


class FakeConn:
    def __init__(self):
        self.sent = b""

    def sendall(self, data):
        self.sent += data

    def recv(self, n):
        return b"OK"

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_connection_has_a_timeout(monkeypatch):
    monkeypatch.setenv("LOG_INGEST_TOKEN", "t")
    import snippet

    snippet = importlib.reload(snippet)
    seen = {}

    def fake_connect(address, *args, **kwargs):
        seen["timeout"] = kwargs.get("timeout", args[0] if args else None)
        return FakeConn()

    monkeypatch.setattr(socket, "create_connection", fake_connect)
    assert snippet.ship(["a\n", "b\n"], "collector:1") == 2
    assert seen["timeout"] is not None


def test_no_built_in_token(monkeypatch):
    monkeypatch.delenv("LOG_INGEST_TOKEN", raising=False)
    import snippet

    try:
        module = importlib.reload(snippet)
    except (KeyError, RuntimeError):
        return
    assert not module.INGEST_TOKEN
