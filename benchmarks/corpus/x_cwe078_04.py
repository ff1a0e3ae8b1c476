import os

from flask import Flask
from flask_login import login_required

app = Flask(__name__)


@app.post("/admin/flush")
@login_required
def flush():
    os.system("sync")
    return {"flushed": True}
