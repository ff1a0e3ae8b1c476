import yaml
from flask import Flask, request

app = Flask(__name__)


@app.post("/config")
def upload_config():
    config = yaml.safe_load(request.files["config"])
    return {"keys": sorted(config)}
