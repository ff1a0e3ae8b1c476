from urllib.parse import urlsplit

import httpx
from fastapi import FastAPI, HTTPException

app = FastAPI()
TRUSTED = {"hooks.slack.com", "discord.com"}


@app.post("/notify")
def notify(url: str, text: str):
    if urlsplit(url).hostname not in TRUSTED:
        raise HTTPException(status_code=400, detail="untrusted webhook host")
    httpx.post(url, json={"text": text})
    return {"sent": True}
