import sqlite3

from flask import Flask, jsonify, request

app = Flask(__name__)


@app.post("/users/batch")
def users_batch():
    ids = [int(i) for i in request.get_json()["ids"]]
    placeholders = ",".join("?" for _ in ids)
    query = "SELECT id, name FROM users WHERE id IN (%s)" % placeholders
    with sqlite3.connect("app.db") as conn:
        return jsonify(conn.execute(query, ids).fetchall())
