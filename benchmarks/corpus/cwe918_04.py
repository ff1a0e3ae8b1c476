import requests
from flask import Flask, abort, request

app = Flask(__name__)


@app.route("/unfurl")
def unfurl():
    link = request.args.get("link", "")
    if not link.startswith(("http://", "https://")):
        abort(400)
    page = requests.get(link, timeout=5)
    return {"status": page.status_code, "length": len(page.text)}
