import requests
from flask import Flask, request

app = Flask(__name__)


@app.post("/verify-email")
def verify_email():
    address = request.form["email"]
    reply = requests.post(
        "https://api.mailcheck.example.com/verify",
        json={"email": address, "verify": False},
        timeout=5,
    )
    return {"deliverable": reply.json()["deliverable"]}
