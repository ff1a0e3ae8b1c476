import subprocess

from aiohttp import web


async def convert(request):
    data = await request.post()
    fmt = data["format"]
    cmd = "pandoc /srv/in.md -o /srv/out." + fmt
    proc = subprocess.Popen(cmd, shell=True)
    proc.wait()
    return web.json_response({"status": proc.returncode})
