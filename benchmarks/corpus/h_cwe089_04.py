import sqlite3

from flask import Flask, request

app = Flask(__name__)


@app.post("/events")
def add_events():
    events = request.get_json()["events"]
    columns = ("kind", "payload", "created_at")
    sql = "INSERT INTO events (%s) VALUES (%s)" % (", ".join(columns), ", ".join("?" * len(columns)))
    with sqlite3.connect("events.db") as conn:
        conn.executemany(sql, [(e["kind"], e["payload"], e["ts"]) for e in events])
    return {"inserted": len(events)}
