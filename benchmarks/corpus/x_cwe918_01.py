import requests
from flask import Flask, request

app = Flask(__name__)


@app.route("/status")
def status():
    host = request.args["host"]
    return requests.get(f"http://{host}/status", timeout=3).json()
