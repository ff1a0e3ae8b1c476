import random

from flask import Flask

app = Flask(__name__)
COLORS = ["#e63946", "#2a9d8f", "#e9c46a", "#264653"]


@app.route("/avatar/placeholder")
def placeholder():
    color = random.choice(COLORS)
    return f"<svg><rect width='64' height='64' fill='{color}'/></svg>"
