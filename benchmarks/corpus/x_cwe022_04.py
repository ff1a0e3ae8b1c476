from flask import Flask, abort, request
from werkzeug.utils import safe_join

app = Flask(__name__)
REPORTS = "/srv/reports"


@app.route("/report")
def report():
    path = safe_join(REPORTS, request.args["name"])
    if path is None:
        abort(404)
    with open(path, encoding="utf-8") as handle:
        return handle.read()
