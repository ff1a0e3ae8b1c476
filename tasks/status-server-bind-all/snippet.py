import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

STATE = {"processed": 0, "failed": 0}


class StatusHandler(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path != "/status":
            self.send_error(404)
            return
        body = json.dumps(STATE).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


# expect: bind-all-interfaces severity=low id=bind-any
def start_status_server(host: str = "0.0.0.0", port: int = 9102) -> ThreadingHTTPServer:
    server = ThreadingHTTPServer((host, port), StatusHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
