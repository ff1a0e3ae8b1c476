from flask import Flask, render_template, request
from markupsafe import Markup

app = Flask(__name__)


@app.post("/preview")
def preview():
    comment = request.form["comment"]
    rendered = Markup("<div class='comment'>%s</div>" % comment)
    return render_template("preview.html", comment=rendered)
