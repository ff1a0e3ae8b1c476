from flask import Flask, jsonify, request
from markupsafe import Markup

app = Flask(__name__)
FOOTER = Markup("<small>&copy; Example Corp</small>")


@app.route("/api/echo")
def echo():
    return jsonify({"message": request.args.get("message", ""), "footer": str(FOOTER)})
