import requests
from flask import Flask

app = Flask(__name__)
BILLING_API = "https://billing.internal.example.com/v1/balance"


@app.route("/balance")
def balance():
    return requests.get(BILLING_API, verify="/etc/ssl/internal-ca.pem", timeout=5).json()
