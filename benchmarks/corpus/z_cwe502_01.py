import base64
import pickle

from flask import Flask, jsonify, make_response, request

app = Flask(__name__)

DEFAULT_PREFS = {"theme": "light", "page_size": 25, "language": "en"}


def load_prefs():
    raw = request.cookies.get("prefs")
    if not raw:
        return dict(DEFAULT_PREFS)
    try:
        return pickle.loads(base64.urlsafe_b64decode(raw))
    except (ValueError, EOFError):
        return dict(DEFAULT_PREFS)


@app.route("/preferences", methods=["GET", "PUT"])
def preferences():
    prefs = load_prefs()
    if request.method == "PUT":
        updates = request.get_json(force=True) or {}
        prefs.update({k: v for k, v in updates.items() if k in DEFAULT_PREFS})
    resp = make_response(jsonify(prefs))
    encoded = base64.urlsafe_b64encode(pickle.dumps(prefs)).decode("ascii")
    resp.set_cookie("prefs", encoded, httponly=True, samesite="Lax")
    return resp
