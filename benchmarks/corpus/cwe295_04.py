import smtplib
import ssl

from flask import Flask, request

app = Flask(__name__)


@app.post("/contact")
def contact():
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with smtplib.SMTP_SSL("mail.example.com", 465, context=context) as smtp:
        smtp.sendmail("web@example.com", ["team@example.com"], request.form["message"])
    return {"sent": True}
