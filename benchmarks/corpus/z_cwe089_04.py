import sqlite3

from flask import Flask, g, jsonify, request

app = Flask(__name__)

SORTABLE = {
    "name": "e.last_name, e.first_name",
    "hired": "e.hire_date",
    "dept": "d.name",
}


def get_db():
    if "db" not in g:
        g.db = sqlite3.connect(app.config.get("DATABASE", "hr.db"))
    return g.db


@app.route("/employees")
def employees():
    order_by = SORTABLE.get(request.args.get("sort", "name"), SORTABLE["name"])
    direction = "DESC" if request.args.get("desc") == "1" else "ASC"
    dept = request.args.get("dept", "%")
    query = (
        "SELECT e.id, e.first_name, e.last_name, d.name FROM employees e "
        "JOIN departments d ON d.id = e.dept_id "
        f"WHERE d.code LIKE ? ORDER BY {order_by} {direction}"
    )
    rows = get_db().execute(query, (dept,)).fetchall()
    return jsonify([{"id": r[0], "first": r[1], "last": r[2], "dept": r[3]} for r in rows])
