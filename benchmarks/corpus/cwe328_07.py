from flask import Flask, request
from werkzeug.security import generate_password_hash

from .db import save_user

app = Flask(__name__)


@app.post("/register")
def register():
    username = request.form["username"]
    save_user(username, generate_password_hash(request.form["password"]))
    return {"registered": username}, 201
