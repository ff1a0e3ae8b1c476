import os

from flask import Flask, abort, request

app = Flask(__name__)
BASE = os.path.realpath("/srv/exports")


@app.route("/exports")
def export():
    requested = os.path.realpath(os.path.join(BASE, request.args["name"]))
    if os.path.commonpath([BASE, requested]) != BASE:
        abort(404)
    with open(requested, "rb") as handle:
        return handle.read()
