import json

from flask import Flask, request

app = Flask(__name__)


@app.post("/api/session/restore")
def restore():
    state = json.loads(request.get_data())
    return {"restored": sorted(state)}
