import requests
from flask import Flask, request

app = Flask(__name__)


@app.route("/proxy/image")
def proxy_image():
    url = request.args["url"]
    upstream = requests.get(url, timeout=10)
    return upstream.content, upstream.status_code, {"Content-Type": upstream.headers["Content-Type"]}
