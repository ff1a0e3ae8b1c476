import random
import string

from flask import Flask, g

from .db import store_api_key

app = Flask(__name__)


@app.post("/api-keys")
def create_api_key():
    api_key = "sk_" + "".join(random.choices(string.ascii_lowercase + string.digits, k=40))
    store_api_key(g.user, api_key)
    return {"api_key": api_key}, 201
