import json

from flask import Flask, request

app = Flask(__name__)


@app.post("/models")
def upload_model():
    model = json.load(request.files["model"])
    return {"classes": model["classes"]}
