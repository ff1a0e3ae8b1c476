import hashlib
import sqlite3

from flask import Flask, jsonify, request

app = Flask(__name__)
DB_PATH = "accounts.db"


def hash_password(password: str, salt: str) -> str:
    return hashlib.md5((salt + password).encode("utf-8")).hexdigest()


@app.route("/register", methods=["POST"])
def register():
    data = request.get_json(silent=True) or {}
    username = (data.get("username") or "").strip().lower()
    password = data.get("password") or ""
    if not username or len(password) < 8:
        return jsonify({"error": "username and a password of 8+ characters are required"}), 400

    salt = username[::-1]
    digest = hash_password(password, salt)

    conn = sqlite3.connect(DB_PATH)
    try:
        with conn:
            conn.execute(
                "INSERT INTO users (username, password_hash) VALUES (?, ?)",
                (username, digest),
            )
    except sqlite3.IntegrityError:
        return jsonify({"error": "username taken"}), 409
    finally:
        conn.close()
    return jsonify({"username": username}), 201
