from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse

app = FastAPI()

RETURN_DESTINATIONS = {
    "home": "/",
    "billing": "/account/billing",
    "orders": "/account/orders",
    "support": "https://support.example.com/hc/en-us",
}


def destination_for(key: str | None) -> str:
    if key is None:
        return RETURN_DESTINATIONS["home"]
    return RETURN_DESTINATIONS.get(key.lower(), RETURN_DESTINATIONS["home"])


@app.get("/checkout/complete")
async def checkout_complete(request: Request, order_id: int, return_to: str | None = None):
    request.app.state.metrics.increment("checkout.complete")
    response = RedirectResponse(url=destination_for(return_to), status_code=303)
    response.set_cookie("last_order", str(order_id), httponly=True, secure=True, samesite="lax")
    return response
