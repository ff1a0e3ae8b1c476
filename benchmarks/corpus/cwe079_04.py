from flask import Flask, request
from jinja2 import Environment, FileSystemLoader

app = Flask(__name__)
env = Environment(loader=FileSystemLoader("templates"))


@app.route("/profile")
def profile():
    template = env.get_template("profile.html")
    return template.render(bio=request.args.get("bio", ""))
