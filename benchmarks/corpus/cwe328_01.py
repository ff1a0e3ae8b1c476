import hashlib

from flask import Flask, request

from .db import save_user

app = Flask(__name__)


@app.post("/register")
def register():
    username = request.form["username"]
    password = request.form["password"]
    save_user(username, hashlib.md5(password.encode()).hexdigest())
    return {"registered": username}, 201
