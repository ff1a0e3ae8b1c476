from flask import Flask, redirect, request, session

app = Flask(__name__)


@app.post("/login")
def login():
    session["user"] = request.form["username"]
    return redirect(request.args.get("next", "/"))
