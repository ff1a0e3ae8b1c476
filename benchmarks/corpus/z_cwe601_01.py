from flask import Flask, flash, redirect, render_template, request, url_for
from flask_login import LoginManager, login_user

from .auth import verify_credentials

app = Flask(__name__)
app.config.from_envvar("APP_SETTINGS")
login_manager = LoginManager(app)


@app.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return render_template("login.html", next=request.args.get("next", ""))

    user = verify_credentials(request.form.get("username", ""), request.form.get("password", ""))
    if user is None:
        flash("Invalid username or password")
        return redirect(url_for("login"))

    login_user(user, remember=request.form.get("remember") == "on")
    next_url = request.form.get("next") or request.args.get("next")
    if next_url:
        return redirect(next_url)
    return redirect(url_for("dashboard"))


@app.route("/dashboard")
def dashboard():
    return render_template("dashboard.html")
