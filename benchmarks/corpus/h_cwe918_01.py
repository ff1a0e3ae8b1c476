import httpx
from fastapi import FastAPI

app = FastAPI()


@app.get("/fetch")
async def fetch(target: str):
    async with httpx.AsyncClient(timeout=5) as client:
        reply = await client.get(target)
    return {"status": reply.status_code}
