from flask import Flask, Response, request

app = Flask(__name__)


@app.route("/echo")
def echo():
    return Response(f"echo: {request.args.get('text', '')}", mimetype="text/plain")
