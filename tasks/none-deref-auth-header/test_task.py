import pytest

from snippet import Request, Unauthorized, authenticate


def test_valid_token():
    req = Request("/api", {"Authorization": "Bearer abc.def"})
    assert authenticate(req, {"abc.def": "ann"}) == "ann"


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Basic dXNlcjpwdw=="}])
def test_missing_or_other_scheme_is_unauthorized(headers):
    with pytest.raises(Unauthorized):
        authenticate(Request("/api", headers), {})
