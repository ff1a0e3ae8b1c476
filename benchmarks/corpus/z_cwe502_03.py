import os

from flask import Flask, jsonify, request
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

app = Flask(__name__)
serializer = URLSafeTimedSerializer(os.environ["CART_SIGNING_KEY"], salt="cart")


@app.route("/cart", methods=["GET"])
def view_cart():
    token = request.cookies.get("cart", "")
    try:
        cart = serializer.loads(token, max_age=7 * 24 * 3600)
    except SignatureExpired:
        return jsonify({"items": [], "expired": True})
    except BadSignature:
        return jsonify({"items": []})
    return jsonify({"items": cart.get("items", []), "coupon": cart.get("coupon")})


@app.route("/cart", methods=["POST"])
def save_cart():
    data = request.get_json(force=True)
    items = [{"sku": str(i["sku"]), "qty": int(i["qty"])} for i in data.get("items", [])]
    resp = jsonify({"items": items})
    resp.set_cookie("cart", serializer.dumps({"items": items}), httponly=True)
    return resp
