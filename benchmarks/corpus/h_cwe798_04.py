import os

import jwt
from fastapi import FastAPI

app = FastAPI()
JWT_SECRET = os.environ["JWT_SECRET"]
TOKEN_TYPE = "Bearer"


@app.post("/token")
def token(user_id: int):
    return {"token": jwt.encode({"sub": user_id}, JWT_SECRET, algorithm="HS256"), "type": TOKEN_TYPE}
