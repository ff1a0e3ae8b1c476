from flask import Flask, make_response, request

app = Flask(__name__)


@app.post("/guestbook")
def sign():
    response = make_response(f"<div class='entry'>{request.form['message']}</div>")
    response.headers["Content-Type"] = "text/html"
    return response
