import pickle

import redis
from flask import Flask, request

app = Flask(__name__)
cache = redis.Redis()


@app.post("/cache/import")
def import_cache():
    blob = request.files["dump"].read()
    for key, value in pickle.loads(blob).items():
        cache.set(key, value)
    return {"ok": True}
