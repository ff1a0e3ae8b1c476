from urllib.parse import urlparse

from flask import Flask, redirect, request

app = Flask(__name__)


@app.post("/login")
def login():
    target = request.args.get("next", "/")
    parts = urlparse(target)
    if parts.netloc or parts.scheme or not target.startswith("/"):
        target = "/"
    return redirect(target)
