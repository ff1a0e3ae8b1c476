from flask import Flask

app = Flask(__name__)
DOCS = "/srv/docs"


@app.route("/docs/<path:filename>")
def doc(filename):
    with open(DOCS + "/" + filename, encoding="utf-8") as handle:
        return handle.read(), 200, {"Content-Type": "text/markdown"}
