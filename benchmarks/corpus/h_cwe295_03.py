import aiohttp
import ssl
from aiohttp import web

CONTEXT = ssl.create_default_context(cafile="/etc/ssl/internal.pem")


async def status(request):
    async with aiohttp.ClientSession() as session:
        async with session.get("https://status.internal/api", ssl=CONTEXT) as reply:
            return web.json_response(await reply.json())
