from flask import Flask, abort, request

app = Flask(__name__)


@app.route("/admin/metrics")
def metrics():
    auth = request.authorization
    if auth is None or auth.username != "admin" or auth.password != "s3cr3t-admin":
        abort(401)
    return {"uptime": 12345}
