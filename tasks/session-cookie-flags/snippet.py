import secrets
from http.cookies import SimpleCookie

SESSION_COOKIE = "sid"
SESSION_TTL = 8 * 3600


def new_session_id() -> str:
    return secrets.token_urlsafe(32)


def session_cookie_header(session_id: str) -> str:
    cookie: SimpleCookie = SimpleCookie()
    cookie[SESSION_COOKIE] = session_id
    morsel = cookie[SESSION_COOKIE]
    morsel["path"] = "/"
    morsel["max-age"] = SESSION_TTL
    morsel["samesite"] = "Lax"
    return morsel.OutputString()


def logout_cookie_header() -> str:
    return f"{SESSION_COOKIE}=; Path=/; Max-Age=0"
