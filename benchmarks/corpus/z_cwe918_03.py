import aiohttp
from aiohttp import web

STATUS_FEEDS = {
    "github": "https://www.githubstatus.com/api/v2/status.json",
    "stripe": "https://status.stripe.com/api/v2/status.json",
    "slack": "https://status.slack.com/api/v2.0.0/current",
}


async def provider_status(request: web.Request) -> web.Response:
    provider = request.match_info["provider"].lower()
    feed_url = STATUS_FEEDS.get(provider)
    if feed_url is None:
        raise web.HTTPNotFound(text=f"unknown provider {provider!r}")

    timeout = aiohttp.ClientTimeout(total=5)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        async with session.get(feed_url) as resp:
            if resp.status != 200:
                return web.json_response({"provider": provider, "reachable": False}, status=502)
            data = await resp.json(content_type=None)

    indicator = data.get("status", {}).get("indicator") or data.get("status", "unknown")
    return web.json_response({"provider": provider, "reachable": True, "indicator": indicator})


def make_app() -> web.Application:
    app = web.Application()
    app.router.add_get("/status/{provider}", provider_status)
    return app


if __name__ == "__main__":
    web.run_app(make_app(), port=8082)
