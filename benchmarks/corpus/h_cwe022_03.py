from pathlib import Path

from flask import Flask, abort, request

app = Flask(__name__)
NOTES = Path("/srv/notes").resolve()


@app.route("/notes")
def read_note():
    target = (NOTES / request.args["name"]).resolve()
    if not target.is_relative_to(NOTES):
        abort(404)
    return target.read_text(encoding="utf-8")
