import psycopg2
from flask import Flask

app = Flask(__name__)


def connect():
    return psycopg2.connect(host="db.internal", user="reporting", password="Rep0rt!ng2023", dbname="sales")


@app.route("/reports/daily")
def daily():
    with connect() as conn, conn.cursor() as cur:
        cur.execute("SELECT count(*) FROM orders WHERE created_at > now() - interval '1 day'")
        return {"orders": cur.fetchone()[0]}
