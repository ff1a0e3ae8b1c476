import hashlib

from flask import Flask, make_response

app = Flask(__name__)


@app.route("/static/app.js")
def app_js():
    with open("build/app.js", "rb") as handle:
        body = handle.read()
    response = make_response(body)
    response.headers["ETag"] = hashlib.md5(body).hexdigest()
    return response
