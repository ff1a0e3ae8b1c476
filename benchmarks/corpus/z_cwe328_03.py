import hashlib
import mimetypes
from pathlib import Path

from flask import Flask, Response, abort, request

app = Flask(__name__)
STATIC_ROOT = Path(__file__).parent / "public"
ASSETS = {p.name: p for p in STATIC_ROOT.glob("*") if p.is_file()}


def etag_for(body: bytes) -> str:
    """Cheap content fingerprint used only for HTTP cache validation."""
    return hashlib.md5(body, usedforsecurity=False).hexdigest()


@app.route("/assets/<name>")
def asset(name: str):
    path = ASSETS.get(name)
    if path is None:
        abort(404)
    body = path.read_bytes()
    tag = etag_for(body)

    if request.headers.get("If-None-Match") == f'"{tag}"':
        return Response(status=304)

    mime, _ = mimetypes.guess_type(path.name)
    resp = Response(body, mimetype=mime or "application/octet-stream")
    resp.headers["ETag"] = f'"{tag}"'
    resp.headers["Cache-Control"] = "public, max-age=600"
    return resp
