from fastapi import FastAPI, HTTPException
from fastapi.responses import FileResponse

app = FastAPI()
TEMPLATES = {
    "invoice": "/srv/templates/invoice.docx",
    "contract": "/srv/templates/contract.docx",
}


@app.get("/templates/{kind}")
def template(kind: str):
    if kind not in TEMPLATES:
        raise HTTPException(status_code=404)
    return FileResponse(TEMPLATES[kind])
