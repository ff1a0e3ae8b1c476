import pytest

from snippet import login


class Store:
    def verify(self, user, password):
        return (user, password) == ("ann", "pw")


USERS = Store()
FORM = {"user": "ann", "password": "pw"}


def test_redirects_to_local_page():
    assert login(USERS, FORM, {"next": "/reports?id=3"}).headers["Location"] == "/reports?id=3"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example"])
def test_external_targets_fall_back(target):
    assert login(USERS, FORM, {"next": target}).headers["Location"] == "/dashboard"


def test_bad_password():
    assert login(USERS, {"user": "ann", "password": "x"}, {}).status == 401
