import sqlite3

from flask import Flask, jsonify

app = Flask(__name__)


@app.route("/invoices/<invoice_id>")
def invoice(invoice_id):
    with sqlite3.connect("billing.db") as conn:
        row = conn.execute(
            f"SELECT id, amount, paid FROM invoices WHERE id = {int(invoice_id)}"
        ).fetchone()
    return jsonify(row)
