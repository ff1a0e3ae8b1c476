from pathlib import Path

from aiohttp import web

LOG_ROOT = Path("/var/log/myservice")


class LogViewer:
    def __init__(self, root: Path):
        self.root = root

    async def tail(self, request: web.Request) -> web.Response:
        name = request.match_info["name"]
        if not name.endswith(".log"):
            raise web.HTTPBadRequest(text="only .log files can be viewed")
        target = self.root / name
        try:
            lines = target.read_text(errors="replace").splitlines()
        except FileNotFoundError:
            raise web.HTTPNotFound()
        limit = int(request.query.get("lines", "200"))
        return web.Response(text="\n".join(lines[-limit:]))


def make_app() -> web.Application:
    viewer = LogViewer(LOG_ROOT)
    app = web.Application()
    app.router.add_get("/logs/{name:.+}", viewer.tail)
    return app


if __name__ == "__main__":
    web.run_app(make_app(), port=8081)
