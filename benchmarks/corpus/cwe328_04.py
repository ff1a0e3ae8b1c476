import hashlib

from flask import Flask, abort, request

from .db import stored_hash_for

app = Flask(__name__)


@app.post("/login")
def login():
    user = request.form["user"]
    pw_hash = hashlib.new("md5", request.form["pw"].encode()).hexdigest()
    if pw_hash != stored_hash_for(user):
        abort(401)
    return {"user": user}
