import asyncpg
from fastapi import FastAPI

app = FastAPI()


@app.get("/items")
async def items(owner: str):
    conn = await asyncpg.connect("postgresql://localhost/shop")
    try:
        rows = await conn.fetch(f"SELECT id, title FROM items WHERE owner = '{owner}'")
    finally:
        await conn.close()
    return [dict(r) for r in rows]
