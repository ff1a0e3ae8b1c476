import requests
from flask import Flask, request

app = Flask(__name__)
WEATHER_API = "https://api.weather.example.com/v2/current"


@app.route("/weather")
def weather():
    city = request.args.get("city", "London")
    reply = requests.get(WEATHER_API, params={"q": city}, timeout=5)
    return reply.json()
