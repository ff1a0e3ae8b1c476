import logging
import os

from snippet import _digest, login


def test_failed_password_is_not_logged(caplog):
    salt = os.urandom(8)
    users = {"ann": (salt, _digest("right-password", salt))}
    with caplog.at_level(logging.DEBUG):
        assert not login(users, "ann", "right-passwore")
        assert login(users, "ann", "right-password")
    assert "right-passwor" not in caplog.text
    assert "ann" in caplog.text
