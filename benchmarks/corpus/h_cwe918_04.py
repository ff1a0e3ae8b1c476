from urllib.parse import urlencode

import requests
from flask import Flask, request

app = Flask(__name__)
GEOCODER = "https://geocode.example.com/search"


@app.route("/geocode")
def geocode():
    query = urlencode({"q": request.args.get("address", "")})
    return requests.get(f"{GEOCODER}?{query}", timeout=5).json()
