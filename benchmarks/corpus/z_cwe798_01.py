import psycopg2
import psycopg2.extras
from flask import Flask, g, jsonify

app = Flask(__name__)

DB_CONFIG = {
    "host": "reports-db.internal.example.com",
    "port": 5432,
    "dbname": "reporting",
    "user": "report_reader",
    "password": "Rep0rt!ng-2023#ro",
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


@app.route("/reports/monthly/<int:year>")
def monthly_revenue(year: int):
    with get_conn().cursor(cursor_factory=psycopg2.extras.RealDictCursor) as cur:
        cur.execute(
            "SELECT date_trunc('month', paid_at) AS month, SUM(amount) AS revenue "
            "FROM invoices WHERE EXTRACT(YEAR FROM paid_at) = %s GROUP BY 1 ORDER BY 1",
            (year,),
        )
        rows = cur.fetchall()
    return jsonify([{"month": r["month"].strftime("%Y-%m"), "revenue": float(r["revenue"])} for r in rows])
