import requests
from flask import Flask

app = Flask(__name__)


@app.route("/users/<user_id>/avatar")
def avatar(user_id):
    reply = requests.get(f"https://api.example.com/users/{int(user_id)}/avatar", timeout=3)
    return reply.content
