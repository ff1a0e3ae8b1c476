import requests
from flask import Flask, request

app = Flask(__name__)


@app.post("/avatars/from-url")
def avatar_from_url():
    image_url = request.json["image_url"]
    image = requests.get(image_url, timeout=10).content
    return {"size": len(image)}
