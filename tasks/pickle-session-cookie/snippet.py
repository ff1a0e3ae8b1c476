import base64
import pickle
from typing import Any


def encode_session(session: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(pickle.dumps(session)).decode("ascii")


def decode_session(cookie: str) -> dict[str, Any]:
    if not cookie:
        return {}
    raw = base64.urlsafe_b64decode(cookie.encode("ascii"))
    # expect: unsafe-deserialization severity=critical id=pickle-cookie
    session = pickle.loads(raw)
    if not isinstance(session, dict):
        raise ValueError("malformed session")
    return session


def add_to_cart(cookie: str, sku: str, quantity: int) -> str:
    session = decode_session(cookie)
    cart = session.setdefault("cart", {})
    cart[sku] = cart.get(sku, 0) + quantity
    return encode_session(session)
