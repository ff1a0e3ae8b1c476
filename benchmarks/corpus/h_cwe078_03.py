import subprocess

from flask import Flask, request

app = Flask(__name__)
ALLOWED_FORMATS = {"pdf", "docx", "html"}


@app.post("/convert")
def convert():
    fmt = request.form.get("format", "pdf")
    if fmt not in ALLOWED_FORMATS:
        return {"error": "unsupported format"}, 400
    subprocess.run(["pandoc", "/srv/in.md", "-o", f"/srv/out.{fmt}"], check=True)
    return {"ok": True}
