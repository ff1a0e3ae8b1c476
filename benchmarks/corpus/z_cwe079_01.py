import html

from flask import Flask, request

from .catalog import search_products

app = Flask(__name__)

PAGE = """<!doctype html>
<html>
  <head><title>Search</title></head>
  <body>
    <h1>Results for "{query}"</h1>
    <ul>{items}</ul>
  </body>
</html>"""


@app.route("/search")
def search():
    query = request.args.get("q", "")
    products = search_products(query, limit=25)
    items = "".join(f"<li>{html.escape(p.name)} &mdash; {p.price:.2f}</li>" for p in products)
    if not items:
        items = "<li>No products matched.</li>"
    return PAGE.format(query=query, items=items)
