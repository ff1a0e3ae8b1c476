import yaml
from fastapi import FastAPI, File, HTTPException, UploadFile
from pydantic import BaseModel, ValidationError

app = FastAPI()


class DeploymentConfig(BaseModel):
    service: str
    replicas: int = 1
    image: str
    env: dict[str, str] = {}


def parse_config(raw: bytes) -> DeploymentConfig:
    try:
        data = yaml.load(raw, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise HTTPException(status_code=400, detail=f"bad YAML: {exc}")
    try:
        return DeploymentConfig.model_validate(data)
    except ValidationError as exc:
        raise HTTPException(status_code=422, detail=exc.errors())


@app.post("/deployments/validate")
async def validate_deployment(config_file: UploadFile = File(...)):
    config = parse_config(await config_file.read())
    return {"ok": True, "service": config.service, "replicas": config.replicas}
