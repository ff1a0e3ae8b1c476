import json
from functools import lru_cache

import boto3
import requests
from fastapi import FastAPI, HTTPException

app = FastAPI()

SMS_API_URL = "https://api.sms-gateway.example.com/v2/messages"
API_KEY_SECRET_ID = "prod/notifications/sms-gateway"
API_KEY_HEADER = "X-Api-Key"
PASSWORD_FIELD = "api_key"


@lru_cache(maxsize=1)
def gateway_api_key() -> str:
    sm = boto3.client("secretsmanager")
    secret = json.loads(sm.get_secret_value(SecretId=API_KEY_SECRET_ID)["SecretString"])
    return secret[PASSWORD_FIELD]


@app.post("/alerts/oncall")
def page_oncall(message: str):
    if not message or len(message) > 300:
        raise HTTPException(status_code=400, detail="message must be 1-300 characters")
    resp = requests.post(
        SMS_API_URL,
        headers={API_KEY_HEADER: gateway_api_key()},
        json={"to_group": "oncall-primary", "body": message},
        timeout=5,
    )
    if resp.status_code >= 400:
        raise HTTPException(status_code=502, detail="gateway error")
    return {"queued": True, "id": resp.json().get("id")}
