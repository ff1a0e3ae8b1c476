from pathlib import Path

from fastapi import FastAPI, HTTPException
from fastapi.responses import PlainTextResponse

app = FastAPI()

TEMPLATES_ROOT = Path("/opt/mailer/templates").resolve()


def resolve_inside(root: Path, user_path: str) -> Path:
    candidate = (root / user_path).resolve()
    if not candidate.is_relative_to(root):
        raise HTTPException(status_code=403, detail="path outside template root")
    return candidate


@app.get("/templates/{template_path:path}", response_class=PlainTextResponse)
async def read_template(template_path: str):
    target = resolve_inside(TEMPLATES_ROOT, template_path)
    if not target.is_file():
        raise HTTPException(status_code=404, detail="template not found")
    with open(target, encoding="utf-8") as fh:
        return fh.read()
