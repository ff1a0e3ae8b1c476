import pymysql
from flask import Flask, request

app = Flask(__name__)


@app.post("/profile/email")
def update_email():
    email = request.form["email"]
    uid = request.form["uid"]
    db = pymysql.connect(host="db", user="web", database="app")
    with db.cursor() as cursor:
        sql = "UPDATE users SET email = '%s' WHERE id = %s" % (email, uid)
        cursor.execute(sql)
    db.commit()
    return {"ok": True}
