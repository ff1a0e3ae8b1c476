import os

import psycopg2
from flask import Flask, g, jsonify

app = Flask(__name__)

DB_CONFIG = {
    "host": os.environ.get("REPORTS_DB_HOST", "localhost"),
    "port": int(os.environ.get("REPORTS_DB_PORT", "5432")),
    "dbname": os.environ.get("REPORTS_DB_NAME", "reporting"),
    "user": os.environ["REPORTS_DB_USER"],
    "password": os.environ["REPORTS_DB_PASSWORD"],
    "connect_timeout": 5,
}


def get_conn():
    if "db" not in g:
        g.db = psycopg2.connect(**DB_CONFIG)
    return g.db


@app.teardown_appcontext
def close_conn(_exc):
    conn = g.pop("db", None)
    if conn is not None:
        conn.close()


@app.route("/reports/customers/count")
def customer_count():
    with get_conn().cursor() as cur:
        cur.execute("SELECT COUNT(*) FROM customers WHERE deleted_at IS NULL")
        (count,) = cur.fetchone()
    return jsonify({"customers": count})
