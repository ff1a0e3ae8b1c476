from flask import Flask, make_response, request
from markupsafe import escape

app = Flask(__name__)


def greeting_banner(name: str) -> str:
    return f"<div class='banner'>Welcome back, {escape(name)}!</div>"


@app.route("/welcome")
def welcome():
    name = request.args.get("name") or request.cookies.get("display_name", "friend")
    html = f"""<!doctype html>
<html>
  <body>
    {greeting_banner(name)}
    <p>You have {int(request.args.get("unread", 0))} unread messages.</p>
  </body>
</html>"""
    resp = make_response(html)
    resp.headers["Content-Type"] = "text/html; charset=utf-8"
    return resp
