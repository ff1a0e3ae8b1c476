from snippet import session_cookie_header


def test_session_cookie_is_secure_and_http_only():
    header = session_cookie_header("abc")
    assert header.startswith("sid=abc")
    assert "Secure" in header
    assert "HttpOnly" in header
