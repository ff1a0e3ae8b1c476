from fastapi import FastAPI
from fastapi.responses import RedirectResponse

app = FastAPI()
DESTINATIONS = {"home": "/", "billing": "/account/billing", "docs": "/docs"}


@app.get("/jump/{where}")
def jump(where: str):
    return RedirectResponse(DESTINATIONS.get(where, "/"))
