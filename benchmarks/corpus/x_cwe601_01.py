from flask import Flask, redirect, request, url_for

app = Flask(__name__)


@app.post("/signin")
def signin():
    next_page = request.values.get("next")
    return redirect(next_page or url_for("home"))
