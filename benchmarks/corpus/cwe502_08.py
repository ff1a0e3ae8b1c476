import yaml
from flask import Flask

app = Flask(__name__)

with open("settings.yaml", encoding="utf-8") as handle:
    SETTINGS = yaml.load(handle, Loader=yaml.SafeLoader)


@app.route("/features")
def features():
    return {"features": SETTINGS.get("features", [])}
