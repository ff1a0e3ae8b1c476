import sqlite3

from flask import Flask, jsonify, request

app = Flask(__name__)
USERS_TABLE = "users"


@app.route("/users/search")
def search_users():
    name = request.args.get("name", "")
    with sqlite3.connect("app.db") as conn:
        rows = conn.execute(
            f"SELECT id, name FROM {USERS_TABLE} WHERE name LIKE ?", (f"%{name}%",)
        ).fetchall()
    return jsonify(rows)
