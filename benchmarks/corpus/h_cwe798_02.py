import jwt
from fastapi import FastAPI

app = FastAPI()
JWT_SECRET = "change-me-please-2019"


@app.post("/token")
def token(user_id: int):
    return {"token": jwt.encode({"sub": user_id}, JWT_SECRET, algorithm="HS256")}
