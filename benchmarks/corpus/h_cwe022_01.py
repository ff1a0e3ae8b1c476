from pathlib import Path

from flask import Flask, request

app = Flask(__name__)
NOTES = Path("/srv/notes")


@app.route("/notes")
def read_note():
    name = request.args["name"]
    return (NOTES / name).read_text(encoding="utf-8")
