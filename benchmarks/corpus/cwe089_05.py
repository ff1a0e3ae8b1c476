import sqlite3

from flask import Flask, jsonify, request

app = Flask(__name__)


@app.route("/tickets")
def tickets():
    query = "SELECT id, title, status FROM tickets WHERE 1 = 1"
    status = request.args.get("status")
    owner = request.args.get("owner")
    if status:
        query += " AND status = '%s'" % status
    if owner:
        query += " AND owner = '%s'" % owner
    with sqlite3.connect("tickets.db") as conn:
        rows = conn.execute(query).fetchall()
    return jsonify(rows)
