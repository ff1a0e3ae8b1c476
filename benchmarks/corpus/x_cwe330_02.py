import random
import string

from flask import Flask, make_response

app = Flask(__name__)


@app.route("/page")
def page():
    nonce = "".join(random.sample(string.hexdigits, 16))
    response = make_response("<script nonce='%s'>init()</script>" % nonce)
    response.headers["Content-Security-Policy"] = f"script-src 'nonce-{nonce}'"
    return response
