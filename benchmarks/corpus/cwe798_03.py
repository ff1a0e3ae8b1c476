import requests
from fastapi import FastAPI

app = FastAPI()
GITHUB_TOKEN = "ghp_1a2b3c4d5e6f7a8b9c0d1e2f3a4b5c6d7e8f"


@app.get("/repos/{owner}")
def repos(owner: str):
    reply = requests.get(
        f"https://api.github.com/users/{owner}/repos",
        headers={"Authorization": f"token {GITHUB_TOKEN}"},
        timeout=5,
    )
    return reply.json()
