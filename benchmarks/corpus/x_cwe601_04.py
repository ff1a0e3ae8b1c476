from flask import Flask, redirect, request, url_for

app = Flask(__name__)


@app.post("/search")
def search():
    return redirect(url_for("results", q=request.form.get("q", "")))
