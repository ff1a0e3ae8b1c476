from io import BytesIO
from urllib.parse import urlparse

import httpx
from fastapi import FastAPI, HTTPException
from fastapi.responses import Response
from PIL import Image
from pydantic import BaseModel

app = FastAPI()
MAX_BYTES = 5 * 1024 * 1024


class ThumbnailRequest(BaseModel):
    image_url: str
    width: int = 256


@app.post("/thumbnails")
async def make_thumbnail(req: ThumbnailRequest):
    parsed = urlparse(req.image_url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise HTTPException(status_code=400, detail="image_url must be an http(s) URL")
    if not 16 <= req.width <= 1024:
        raise HTTPException(status_code=400, detail="width out of range")

    async with httpx.AsyncClient(timeout=5.0, follow_redirects=True) as client:
        upstream = await client.get(req.image_url)
    if upstream.status_code != 200 or len(upstream.content) > MAX_BYTES:
        raise HTTPException(status_code=422, detail="could not fetch image")

    img = Image.open(BytesIO(upstream.content))
    img.thumbnail((req.width, req.width))
    out = BytesIO()
    img.convert("RGB").save(out, format="JPEG", quality=85)
    return Response(out.getvalue(), media_type="image/jpeg")
