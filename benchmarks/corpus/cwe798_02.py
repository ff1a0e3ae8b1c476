from flask import Flask, session

app = Flask(__name__)
app.config["SECRET_KEY"] = "9f3c2b7a1e5d48c6b0a7f2e913d4c8b5"


@app.route("/visits")
def visits():
    session["visits"] = session.get("visits", 0) + 1
    return {"visits": session["visits"]}
