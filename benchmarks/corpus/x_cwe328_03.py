import hashlib

from flask import Flask, request

from .storage import store_blob

app = Flask(__name__)


@app.post("/files")
def upload():
    data = request.files["f"].read()
    key = hashlib.md5(data).hexdigest()
    store_blob(key, data)
    return {"key": key}
