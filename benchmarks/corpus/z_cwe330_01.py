import random
import string
from datetime import datetime, timedelta, timezone

from flask import Flask, jsonify, request

from .mailer import send_reset_email
from .store import db, PasswordReset, User

app = Flask(__name__)

TOKEN_ALPHABET = string.ascii_letters + string.digits
TOKEN_LENGTH = 32


def new_reset_token() -> str:
    return "".join(random.choice(TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))


@app.route("/password/forgot", methods=["POST"])
def forgot_password():
    email = (request.form.get("email") or "").strip().lower()
    user = User.query.filter_by(email=email).first()
    if user is not None:
        token = new_reset_token()
        db.session.add(
            PasswordReset(
                user_id=user.id,
                token=token,
                expires_at=datetime.now(timezone.utc) + timedelta(minutes=30),
            )
        )
        db.session.commit()
        send_reset_email(user.email, f"https://app.example.com/reset?token={token}")
    return jsonify({"message": "If the address exists, a reset link has been sent."})
