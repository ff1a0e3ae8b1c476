import aiohttp
from aiohttp import web


async def preview(request):
    url = request.query["url"]
    async with aiohttp.ClientSession() as session:
        async with session.get(url) as reply:
            return web.json_response({"status": reply.status})
