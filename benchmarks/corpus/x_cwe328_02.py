from hashlib import md5

from flask import Flask, request

from .db import find_user

app = Flask(__name__)


@app.post("/login")
def login():
    user = find_user(request.form["email"])
    pw = request.form["pw"]
    if user is None or md5(f"{user.salt}{pw}".encode()).hexdigest() != user.hash:
        return {"error": "invalid credentials"}, 401
    return {"ok": True}
