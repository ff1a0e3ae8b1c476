import aiohttp
from aiohttp import web


async def status(request):
    async with aiohttp.ClientSession() as session:
        async with session.get("https://status.internal/api", ssl=False) as reply:
            return web.json_response(await reply.json())
