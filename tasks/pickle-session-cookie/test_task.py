import base64
import pickle

import pytest

from snippet import add_to_cart, decode_session


class Exploit:
    def __reduce__(self):
        return (dict, ([("pwned", True)],))


def test_cart_round_trip():
    cookie = add_to_cart(add_to_cart("", "sku-1", 2), "sku-1", 1)
    assert decode_session(cookie)["cart"] == {"sku-1": 3}


def test_pickle_payload_is_not_executed():
    payload = base64.urlsafe_b64encode(pickle.dumps(Exploit())).decode()
    with pytest.raises(ValueError):
        decode_session(payload)
