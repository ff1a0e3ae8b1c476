import os
import smtplib

from flask import Flask, request

app = Flask(__name__)


@app.post("/alerts")
def alert():
    with smtplib.SMTP_SSL("smtp.example.com", 465) as smtp:
        smtp.login(os.environ["SMTP_USER"], os.environ["SMTP_PASSWORD"])
        smtp.sendmail("alerts@example.com", ["ops@example.com"], request.form["text"])
    return {"sent": True}
