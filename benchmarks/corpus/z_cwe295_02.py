import ssl

import aiohttp
from aiohttp import web

PAYMENTS_STATUS_URL = "https://payments.partner.example.net/v1/status"


def build_ssl_context() -> ssl.SSLContext:
    ctx = ssl.create_default_context()
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    return ctx


async def on_startup(app: web.Application) -> None:
    connector = aiohttp.TCPConnector(ssl=build_ssl_context(), limit=20)
    app["http"] = aiohttp.ClientSession(connector=connector)


async def on_cleanup(app: web.Application) -> None:
    await app["http"].close()


async def partner_status(request: web.Request) -> web.Response:
    session: aiohttp.ClientSession = request.app["http"]
    async with session.get(PAYMENTS_STATUS_URL, timeout=aiohttp.ClientTimeout(total=4)) as resp:
        if resp.status != 200:
            return web.json_response({"ok": False, "upstream": resp.status}, status=502)
        body = await resp.json()
    return web.json_response({"ok": True, "status": body.get("state", "unknown")})


def make_app() -> web.Application:
    app = web.Application()
    app.on_startup.append(on_startup)
    app.on_cleanup.append(on_cleanup)
    app.router.add_get("/health/partner", partner_status)
    return app


if __name__ == "__main__":
    web.run_app(make_app(), port=8081)
