import re
from dataclasses import dataclass

BEARER = re.compile(r"^Bearer\s+([A-Za-z0-9._~+/-]+=*)$")


class Unauthorized(Exception):
    pass


@dataclass
class Request:
    path: str
    headers: dict[str, str]


def bearer_token(request: Request) -> str:
    header = request.headers.get("Authorization", "")
    # expect: none-dereference severity=medium id=match-group
    return BEARER.match(header).group(1)


def authenticate(request: Request, sessions: dict[str, str]) -> str:
    if request.path.startswith("/public/"):
        return "anonymous"
    user = sessions.get(bearer_token(request))
    if user is None:
        raise Unauthorized("unknown token")
    return user
