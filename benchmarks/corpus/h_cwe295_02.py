import requests
import urllib3
from flask import Flask

app = Flask(__name__)
urllib3.disable_warnings()
session = requests.Session()
session.verify = False


@app.route("/inventory")
def inventory():
    return session.get("https://erp.internal/api/inventory", timeout=5).json()
