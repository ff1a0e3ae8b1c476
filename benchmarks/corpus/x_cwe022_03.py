import os

from flask import Flask, request

app = Flask(__name__)
LOGOS = "/srv/logos"


@app.route("/logo")
def logo():
    name = os.path.basename(request.args["name"])
    with open(os.path.join(LOGOS, name), "rb") as handle:
        return handle.read(), 200, {"Content-Type": "image/png"}
