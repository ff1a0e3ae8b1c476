from flask import Flask, redirect, request, url_for

app = Flask(__name__)


@app.route("/language/<code>")
def set_language(code):
    response = redirect(url_for("index", lang=code))
    response.set_cookie("lang", code)
    return response
