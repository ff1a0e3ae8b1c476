import subprocess

from flask import Flask, jsonify, request

app = Flask(__name__)


@app.route("/diagnostics/ping", methods=["POST"])
def ping_host():
    payload = request.get_json(silent=True) or {}
    host = payload.get("host", "").strip()
    count = int(payload.get("count", 3))
    if not host:
        return jsonify({"error": "host is required"}), 400

    result = subprocess.run(
        f"ping -c {count} -W 2 {host}",
        shell=True,
        capture_output=True,
        text=True,
        timeout=30,
    )
    return jsonify(
        {
            "host": host,
            "returncode": result.returncode,
            "output": result.stdout.splitlines(),
        }
    )
