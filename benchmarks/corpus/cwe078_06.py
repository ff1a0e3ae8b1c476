import shlex
import subprocess

from flask import Flask, request

app = Flask(__name__)


@app.route("/dns")
def dns():
    name = request.args["name"]
    out = subprocess.check_output("dig +short " + shlex.quote(name), shell=True, text=True)
    return {"records": out.split()}
