from flask import Flask, redirect, request

from .security import is_safe_redirect

app = Flask(__name__)


@app.post("/signin")
def signin():
    next_page = request.values.get("next", "/")
    if not is_safe_redirect(next_page):
        next_page = "/"
    return redirect(next_page)
