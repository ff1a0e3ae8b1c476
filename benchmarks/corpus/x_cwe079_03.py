import html

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

app = FastAPI()


@app.get("/search", response_class=HTMLResponse)
def search(q: str = ""):
    return HTMLResponse(content=f"<p>You searched for <strong>{html.escape(q)}</strong></p>")
