import random

from snippet import issue_reset, new_reset_token, redeem_reset


def test_token_shape():
    token = new_reset_token(40)
    assert len(token) == 40 and token.isalnum()


def test_tokens_do_not_follow_the_random_module_seed():
    random.seed(1234)
    first = new_reset_token()
    random.seed(1234)
    second = new_reset_token()
    assert first != second


def test_redeem_once():
    store = {}
    token = issue_reset(store, "a@example.com")
    assert redeem_reset(store, token) == "a@example.com"
    assert redeem_reset(store, token) is None
