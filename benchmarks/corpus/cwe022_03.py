from fastapi import FastAPI
from fastapi.responses import FileResponse

app = FastAPI()


@app.get("/reports")
def report(name: str):
    return FileResponse(f"/srv/reports/{name}", media_type="application/pdf")
