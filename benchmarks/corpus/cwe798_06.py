import requests
from flask import Flask, request

app = Flask(__name__)
TOKEN_URL = "https://auth.example.com/oauth/token"
TOKEN_HEADER = "X-Auth-Token"
PASSWORD_RESET_PATH = "/account/password/reset"


@app.route("/session")
def session_info():
    token = request.headers.get(TOKEN_HEADER, "")
    reply = requests.post(TOKEN_URL, data={"token": token}, timeout=5)
    return {"active": reply.json().get("active", False), "reset": PASSWORD_RESET_PATH}
