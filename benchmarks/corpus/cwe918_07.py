from urllib.parse import quote

import requests
from fastapi import FastAPI

app = FastAPI()
USER_SERVICE = "https://users.internal.example.com"


@app.get("/profiles/{user_id}")
def profile(user_id: str):
    reply = requests.get(f"{USER_SERVICE}/v1/users/{quote(user_id, safe='')}", timeout=3)
    return reply.json()
