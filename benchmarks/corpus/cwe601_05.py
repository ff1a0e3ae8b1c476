from flask import Flask, redirect, session, url_for

app = Flask(__name__)


@app.post("/logout")
def logout():
    session.clear()
    return redirect(url_for("index"))
