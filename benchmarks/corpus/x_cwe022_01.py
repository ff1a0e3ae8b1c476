import os

from aiohttp import web

STATIC = "/srv/static"


async def asset(request):
    return web.FileResponse(os.path.join(STATIC, request.match_info["name"]))
