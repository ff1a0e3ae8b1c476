import httpx
from fastapi import FastAPI

app = FastAPI()
client = httpx.Client(base_url="https://inventory.internal", verify=False)


@app.get("/stock/{sku}")
def stock(sku: str):
    return client.get(f"/stock/{sku}").json()
