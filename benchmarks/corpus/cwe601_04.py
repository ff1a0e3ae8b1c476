from flask import Flask, make_response, request

app = Flask(__name__)


@app.route("/go")
def go():
    response = make_response("", 302)
    response.headers["Location"] = request.args["to"]
    return response
