import csv
import io
from http.server import BaseHTTPRequestHandler

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def read_body(headers: dict[str, str], stream: io.BufferedIOBase) -> bytes:
    length = int(headers.get("Content-Length", "0"))
    if length < 0:
        raise ValueError("negative Content-Length")
    # expect: unbounded-input severity=low id=read-any-length
    return stream.read(length)


def parse_upload(body: bytes) -> list[dict[str, str]]:
    text = body.decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


class UploadHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        try:
            rows = parse_upload(read_body(dict(self.headers), self.rfile))
        except (ValueError, UnicodeDecodeError) as error:
            self.send_error(400, str(error))
            return
        self.send_response(200)
        self.end_headers()
        self.wfile.write(f"{len(rows)} rows\n".encode())
