import psycopg2
from flask import Flask, request

app = Flask(__name__)
conn = psycopg2.connect(dbname="orders")


def orders_for(customer):
    cur = conn.cursor()
    cur.execute("SELECT id, total FROM orders WHERE customer = '" + customer + "' ORDER BY id")
    return cur.fetchall()


@app.get("/orders")
def orders():
    return {"orders": orders_for(request.args["customer"])}
