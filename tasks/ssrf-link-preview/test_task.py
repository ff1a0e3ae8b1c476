import io

import pytest

from snippet import fetch_title


class FakeResponse(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def fake_opener(url, timeout):
    return FakeResponse(b"<html><title> Hello </title></html>")


def test_public_link_gets_a_title():
    assert fetch_title("https://93.184.216.34/page", fake_opener) == "Hello"


@pytest.mark.parametrize("url", [
    "http://169.254.169.254/latest/meta-data/",
    "http://127.0.0.1:8080/admin",
    "http://10.0.0.5/",
    "http://localhost/",
])
def test_internal_addresses_are_refused(url):
    with pytest.raises(ValueError):
        fetch_title(url, fake_opener)
