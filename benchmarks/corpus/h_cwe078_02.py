import os

from flask import Flask, request

app = Flask(__name__)


def archive(name):
    return os.system("zip -r /backups/%s.zip /srv/data/%s" % (name, name))


@app.post("/archive")
def make_archive():
    status = archive(request.form["name"])
    return {"status": status}
