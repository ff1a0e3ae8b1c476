import random

from flask import Flask, session

app = Flask(__name__)


@app.route("/form")
def form():
    session["csrf"] = str(random.random())[2:]
    return {"csrf": session["csrf"]}
