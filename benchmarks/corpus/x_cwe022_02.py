import os
import shutil

from flask import Flask, request

app = Flask(__name__)
WORKSPACES = "/srv/workspaces"


@app.delete("/workspaces")
def delete_workspace():
    shutil.rmtree(os.path.join(WORKSPACES, request.json["workspace"]))
    return {"deleted": True}
