import os

import httpx
from fastapi import FastAPI

app = FastAPI()
client = httpx.Client(base_url="https://inventory.internal", verify=os.environ.get("CA_BUNDLE", True))


@app.get("/stock/{sku}")
def stock(sku: str):
    return client.get(f"/stock/{sku}").json()
