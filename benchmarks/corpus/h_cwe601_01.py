from flask import Flask, redirect, request

app = Flask(__name__)


@app.route("/language/<code>")
def set_language(code):
    response = redirect(request.headers.get("Referer", "/"))
    response.set_cookie("lang", code)
    return response
