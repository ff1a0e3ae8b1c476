import json

import redis
from flask import Flask, request

app = Flask(__name__)
cache = redis.Redis()


@app.post("/cache/import")
def import_cache():
    for key, value in json.load(request.files["dump"]).items():
        cache.set(key, value)
    return {"ok": True}
