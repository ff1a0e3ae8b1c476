import re
import subprocess

from flask import Flask, abort, request

app = Flask(__name__)
HOSTNAME = re.compile(r"[a-z0-9.-]{1,253}")


@app.route("/trace")
def trace():
    host = request.args.get("host", "")
    if not HOSTNAME.fullmatch(host):
        abort(400)
    out = subprocess.run(f"traceroute -m 8 {host}", shell=True, capture_output=True, text=True)
    return {"hops": out.stdout.splitlines()}
