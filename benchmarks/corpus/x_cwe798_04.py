from fastapi import FastAPI, Header, HTTPException

from .keys import is_valid_key

app = FastAPI()
API_KEY_HEADER = "X-API-Key"
password_policy = "min-12-chars"


@app.get("/private")
def private(x_api_key: str = Header(...)):
    if not is_valid_key(x_api_key):
        raise HTTPException(status_code=403)
    return {"policy": password_policy}
