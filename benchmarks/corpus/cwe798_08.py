import os

import hvac
from fastapi import FastAPI

app = FastAPI()
vault = hvac.Client(url=os.environ["VAULT_ADDR"], token=os.environ["VAULT_TOKEN"])
SECRET_PATH = "kv/data/payments"


@app.get("/payments/health")
def health():
    secret = vault.secrets.kv.v2.read_secret_version(path=SECRET_PATH)
    return {"configured": "api_key" in secret["data"]["data"]}
