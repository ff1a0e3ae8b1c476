import os

from flask import Flask, request

app = Flask(__name__)
UPLOADS = "/srv/uploads"


@app.post("/images/thumbnail")
def thumbnail():
    upload = request.files["image"]
    path = os.path.join(UPLOADS, upload.filename)
    upload.save(path)
    os.system("convert " + path + " -resize 128x128 " + path + ".thumb.png")
    return {"thumbnail": path + ".thumb.png"}
