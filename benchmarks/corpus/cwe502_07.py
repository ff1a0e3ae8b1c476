import base64
import hashlib
import hmac
import pickle

from flask import Flask, abort, request

app = Flask(__name__)
SIGNING_KEY = bytes.fromhex(open("/run/secrets/cart_key").read().strip())


@app.route("/cart")
def cart():
    payload = base64.b64decode(request.cookies.get("cart", ""))
    signature = request.cookies.get("cart_sig", "")
    if not hmac.compare_digest(hmac.new(SIGNING_KEY, payload, hashlib.sha256).hexdigest(), signature):
        abort(400)
    return {"items": pickle.loads(payload)}
