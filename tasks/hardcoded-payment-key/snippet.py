import json
import os
import urllib.request

API_BASE = os.environ.get("PAYMENTS_API_BASE", "https://api.payments.example.com/v1")
# expect: hardcoded-secret severity=high id=literal-api-key
API_KEY = "sk_live_51HqQx2Lk9sUa8b3MZpQvT0yGkR4"


def build_request(path: str, payload: dict[str, object]) -> urllib.request.Request:
    return urllib.request.Request(
        f"{API_BASE}{path}",
        data=json.dumps(payload).encode(),
        headers={"Authorization": f"Bearer {api_key()}", "Content-Type": "application/json"},
        method="POST",
    )


def api_key() -> str:
    return API_KEY


def create_charge(amount_cents: int, currency: str, customer: str) -> dict[str, object]:
    request = build_request(
        "/charges", {"amount": amount_cents, "currency": currency, "customer": customer}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)
