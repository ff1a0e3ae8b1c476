import logging
from decimal import Decimal

import pytest

from snippet import TransferError, Wallets


def setup():
    wallets = Wallets()
    a = wallets.open_account("ann", "EUR", card_number="4111111111111111")
    b = wallets.open_account("bob", "EUR")
    wallets.deposit(a.id, Decimal("100"))
    return wallets, a, b


def test_transfer_with_lowercase_currency():
    wallets, a, b = setup()
    wallets.transfer(a.id, b.id, Decimal("40"), "eur")
    assert a.balance == Decimal("60") and b.balance == Decimal("40")


def test_unknown_target_is_a_transfer_error():
    wallets, a, _ = setup()
    with pytest.raises(TransferError):
        wallets.transfer(a.id, "nope", Decimal("1"), "EUR")


def test_card_number_not_logged(caplog):
    wallets, a, b = setup()
    with caplog.at_level(logging.DEBUG):
        wallets.transfer(a.id, b.id, Decimal("1"), "EUR")
    assert "4111111111111111" not in caplog.text
