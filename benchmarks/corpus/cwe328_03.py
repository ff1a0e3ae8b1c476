import hashlib

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

app = FastAPI()
USERS: dict[str, str] = {}


class Signup(BaseModel):
    email: str
    password: str


@app.post("/signup")
def signup(body: Signup):
    if body.email in USERS:
        raise HTTPException(status_code=409)
    USERS[body.email] = hashlib.sha256(body.password.encode()).hexdigest()
    return {"ok": True}
