from flask import Flask, jsonify, request
from sqlalchemy import select

from .models import Session, User

app = Flask(__name__)


@app.route("/users")
def users():
    name = request.args.get("name", "")
    with Session() as session:
        rows = session.execute(select(User).where(User.name.like(f"%{name}%"))).scalars().all()
    return jsonify([u.to_dict() for u in rows])
