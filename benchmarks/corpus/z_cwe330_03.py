import hashlib
import secrets
from datetime import datetime, timezone

from fastapi import Depends, FastAPI, HTTPException
from pydantic import BaseModel

from .auth import current_user
from .repo import ApiKeyRepo, get_repo

app = FastAPI()


class NewKeyRequest(BaseModel):
    label: str


@app.post("/api-keys", status_code=201)
async def create_api_key(
    body: NewKeyRequest,
    user=Depends(current_user),
    repo: ApiKeyRepo = Depends(get_repo),
):
    if await repo.count_for(user.id) >= 10:
        raise HTTPException(status_code=409, detail="key limit reached")

    prefix = secrets.token_hex(4)
    secret = secrets.token_urlsafe(32)
    full_key = f"ak_{prefix}_{secret}"

    await repo.insert(
        user_id=user.id,
        label=body.label[:64],
        prefix=prefix,
        key_hash=hashlib.sha256(full_key.encode()).hexdigest(),
        created_at=datetime.now(timezone.utc),
    )
    return {"key": full_key, "prefix": prefix, "label": body.label[:64]}
