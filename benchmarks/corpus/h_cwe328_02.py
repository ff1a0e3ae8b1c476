import hashlib

from flask import Flask, request

from .db import users

app = Flask(__name__)


@app.post("/change-password")
def change_password():
    new = request.form["new"]
    users.update_one({"_id": request.form["uid"]}, {"$set": {"pw": hashlib.sha1(new.encode()).hexdigest()}})
    return {"ok": True}
