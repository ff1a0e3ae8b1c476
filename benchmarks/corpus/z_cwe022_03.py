import os

from flask import Flask, request, send_from_directory

app = Flask(__name__)
app.config["UPLOAD_FOLDER"] = os.environ.get("UPLOAD_FOLDER", "/srv/uploads")


@app.route("/attachments/<path:filename>")
def get_attachment(filename):
    as_download = request.args.get("download") == "1"
    return send_from_directory(
        app.config["UPLOAD_FOLDER"],
        filename,
        as_attachment=as_download,
    )


@app.route("/attachments")
def list_attachments():
    folder = app.config["UPLOAD_FOLDER"]
    names = sorted(
        entry.name for entry in os.scandir(folder) if entry.is_file()
    )
    return {"files": names}
