import hashlib

from flask import Flask, request

app = Flask(__name__)


@app.post("/uploads")
def upload():
    blob = request.files["file"].read()
    return {"sha1": hashlib.sha1(blob).hexdigest(), "size": len(blob)}
