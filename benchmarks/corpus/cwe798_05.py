import os

import psycopg2
from flask import Flask

app = Flask(__name__)


def connect():
    return psycopg2.connect(
        host=os.environ["DB_HOST"], user="reporting", password=os.environ["DB_PASSWORD"], dbname="sales"
    )


@app.route("/reports/daily")
def daily():
    with connect() as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM orders")
        return {"orders": cur.fetchone()[0]}
