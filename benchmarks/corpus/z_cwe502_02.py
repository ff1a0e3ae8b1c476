import yaml
from aiohttp import web

from .pipelines import PipelineStore

store = PipelineStore()


async def import_pipeline(request: web.Request) -> web.Response:
    if request.content_type not in ("application/x-yaml", "text/yaml"):
        raise web.HTTPUnsupportedMediaType(text="send YAML")
    body = await request.text()
    try:
        spec = yaml.load(body, Loader=yaml.Loader)
    except yaml.YAMLError as exc:
        raise web.HTTPBadRequest(text=f"invalid pipeline: {exc}")

    if not isinstance(spec, dict) or "steps" not in spec:
        raise web.HTTPBadRequest(text="pipeline must define steps")
    pipeline_id = await store.save(spec.get("name", "unnamed"), spec["steps"])
    return web.json_response({"id": pipeline_id, "steps": len(spec["steps"])}, status=201)


app = web.Application(client_max_size=256 * 1024)
app.router.add_post("/pipelines/import", import_pipeline)
