import yaml
from fastapi import FastAPI, Request

app = FastAPI()


@app.post("/pipelines")
async def create_pipeline(request: Request):
    spec = yaml.load(await request.body(), Loader=yaml.Loader)
    return {"steps": len(spec["steps"])}
