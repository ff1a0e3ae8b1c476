import random

from flask import Flask, jsonify

from .quiz import QUESTIONS

app = Flask(__name__)


@app.route("/quiz")
def quiz():
    questions = list(QUESTIONS)
    random.shuffle(questions)
    return jsonify(questions[:10])
