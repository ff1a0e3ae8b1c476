import os

from flask import Flask, abort, request, send_file

app = Flask(__name__)

REPORTS_DIR = os.environ.get("REPORTS_DIR", "/srv/app/reports")


def report_path(name: str) -> str:
    return os.path.join(REPORTS_DIR, name)


@app.route("/reports/download")
def download_report():
    name = request.args.get("file")
    if not name:
        abort(400, "missing file parameter")
    path = report_path(name)
    if not os.path.isfile(path):
        abort(404)
    return send_file(path, as_attachment=True, download_name=os.path.basename(path))
