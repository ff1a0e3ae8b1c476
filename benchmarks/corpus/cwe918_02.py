from urllib.request import urlopen

from fastapi import FastAPI
from pydantic import BaseModel

app = FastAPI()


class Feed(BaseModel):
    url: str


@app.post("/feeds/preview")
def preview(feed: Feed):
    with urlopen(feed.url, timeout=5) as response:
        return {"bytes": len(response.read())}
