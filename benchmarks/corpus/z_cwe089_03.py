import os

import asyncpg
from aiohttp import web

routes = web.RouteTableDef()


@routes.get("/api/articles")
async def search_articles(request: web.Request) -> web.Response:
    term = request.query.get("q", "")
    tag = request.query.get("tag")
    pool: asyncpg.Pool = request.app["pool"]

    sql = "SELECT id, title, published_at FROM articles WHERE title ILIKE $1"
    params = [f"%{term}%"]
    if tag:
        sql += " AND $2 = ANY(tags)"
        params.append(tag)
    sql += " ORDER BY published_at DESC LIMIT 20"

    async with pool.acquire() as conn:
        records = await conn.fetch(sql, *params)
    return web.json_response([{"id": r["id"], "title": r["title"]} for r in records])


async def init_pool(app: web.Application):
    app["pool"] = await asyncpg.create_pool(dsn=os.environ["DATABASE_URL"])
    yield
    await app["pool"].close()


app = web.Application()
app.add_routes(routes)
app.cleanup_ctx.append(init_pool)
