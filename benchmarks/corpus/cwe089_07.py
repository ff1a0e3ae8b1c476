import sqlite3

from flask import Flask, abort, jsonify, request

app = Flask(__name__)
SORTABLE = {"name": "name", "price": "price", "newest": "created_at"}


@app.route("/products")
def products():
    key = request.args.get("sort", "name")
    if key not in SORTABLE:
        abort(400)
    sql = "SELECT id, name, price FROM products ORDER BY %s" % SORTABLE[key]
    with sqlite3.connect("shop.db") as conn:
        return jsonify(conn.execute(sql).fetchall())
