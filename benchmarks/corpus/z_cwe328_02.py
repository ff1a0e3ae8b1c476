import hashlib
import hmac

from fastapi import Depends, FastAPI, HTTPException
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from .db import get_session
from .models import ApiClient
from .tokens import issue_access_token

app = FastAPI()


class ClientCredentials(BaseModel):
    client_id: str
    client_secret: str


def _digest(secret: str) -> str:
    return hashlib.sha1(secret.encode()).hexdigest()


@app.post("/oauth/token")
def token(creds: ClientCredentials, db: Session = Depends(get_session)):
    client = db.execute(
        select(ApiClient).where(ApiClient.client_id == creds.client_id)
    ).scalar_one_or_none()
    if client is None or not client.active:
        raise HTTPException(status_code=401, detail="invalid_client")

    if not hmac.compare_digest(_digest(creds.client_secret), client.secret_digest):
        raise HTTPException(status_code=401, detail="invalid_client")

    return {
        "access_token": issue_access_token(client.client_id, scopes=client.scopes),
        "token_type": "bearer",
        "expires_in": 3600,
    }
