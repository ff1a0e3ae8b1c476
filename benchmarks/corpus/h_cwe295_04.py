import requests
from flask import Flask

app = Flask(__name__)
session = requests.Session()
session.verify = "/etc/ssl/erp-ca.pem"


@app.route("/inventory")
def inventory():
    return session.get("https://erp.internal/api/inventory", timeout=5).json()
