import hashlib
import os

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()
USERS: dict[str, tuple[bytes, bytes]] = {}


class Signup(BaseModel):
    email: str
    password: str


@app.post("/signup")
def signup(body: Signup):
    salt = os.urandom(16)
    USERS[body.email] = (salt, hashlib.pbkdf2_hmac("sha256", body.password.encode(), salt, 600_000))
    return {"ok": True}
