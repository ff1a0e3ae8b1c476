import os

from flask import Flask, request
from werkzeug.utils import secure_filename

app = Flask(__name__)
AVATARS = "/srv/avatars"


@app.post("/avatar")
def upload_avatar():
    upload = request.files["avatar"]
    filename = secure_filename(upload.filename)
    with open(os.path.join(AVATARS, filename), "wb") as out:
        out.write(upload.read())
    return {"saved": filename}
