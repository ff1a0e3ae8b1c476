import json
import urllib.request

from snippet import start_status_server


def test_default_bind_is_loopback():
    server = start_status_server(port=0)
    try:
        host, port = server.server_address[:2]
        assert host == "127.0.0.1"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/status", timeout=5) as resp:
            assert json.load(resp)["processed"] == 0
    finally:
        server.shutdown()
        server.server_close()
