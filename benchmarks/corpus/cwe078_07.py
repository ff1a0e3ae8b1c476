import subprocess

from flask import Flask

app = Flask(__name__)


@app.route("/version")
def version():
    commit = subprocess.check_output(["git", "rev-parse", "--short", "HEAD"], text=True)
    uptime = subprocess.check_output("uptime -p", shell=True, text=True)
    return {"commit": commit.strip(), "uptime": uptime.strip()}
