import httpx
from fastapi import FastAPI, HTTPException

app = FastAPI()
UPSTREAMS = {"eu": "https://eu.api.example.com/health", "us": "https://us.api.example.com/health"}


@app.get("/fetch")
async def fetch(region: str):
    if region not in UPSTREAMS:
        raise HTTPException(status_code=404)
    async with httpx.AsyncClient(timeout=5) as client:
        reply = await client.get(UPSTREAMS[region])
    return {"status": reply.status_code}
