"""A local OpenAI-compatible chat-completions server for tests: loopback only, no network.

It answers ``POST /v1/chat/completions`` the way the real API does (same JSON shapes, a 400
with an ``error`` object for a request it refuses), records every request it receives, and
lets a test script the model: ``reply(request) -> str`` decides each answer from the messages.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Reply = Callable[[dict[str, Any]], str]


@dataclass
class FakeModelServer:
    url: str
    requests: list[dict[str, Any]] = field(default_factory=list)
    refused: list[dict[str, Any]] = field(default_factory=list)


def completion(model: str, text: str, number: int) -> dict[str, Any]:
    return {
        "id": f"chatcmpl-fake-{number}",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": text},
                "finish_reason": "stop",
                "logprobs": None,
            }
        ],
        "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
    }


@contextmanager
def fake_model_server(
    reply: Reply, *, json_schema: bool = True, status: int = 200
) -> Iterator[FakeModelServer]:
    """Serve ``reply`` on a free loopback port; ``json_schema=False`` refuses that format
    with a 400, as many local servers do; another ``status`` answers every request with it."""
    server_state = FakeModelServer(url="")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
            return

        def _send(self, status: int, body: dict[str, Any]) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self) -> None:
            if self.path.rstrip("/") != "/v1/chat/completions":
                self._send(404, {"error": {"message": f"no route {self.path}", "type": "x"}})
                return
            length = int(self.headers.get("Content-Length", "0"))
            request = json.loads(self.rfile.read(length))
            response_format = (request.get("response_format") or {}).get("type")
            if response_format == "json_schema" and not json_schema:
                with lock:
                    server_state.refused.append(request)
                self._send(
                    400,
                    {
                        "error": {
                            "message": "response_format json_schema is not supported",
                            "type": "invalid_request_error",
                            "param": "response_format",
                            "code": None,
                        }
                    },
                )
                return
            with lock:
                server_state.requests.append(request)
                number = len(server_state.requests)
            if status != 200:
                error = {"message": "Incorrect API key provided", "type": "invalid_request_error"}
                self._send(status, {"error": {**error, "param": None, "code": "invalid_api_key"}})
                return
            text = reply(request)
            self._send(200, completion(str(request.get("model")), text, number))

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    server_state.url = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield server_state
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=10)
