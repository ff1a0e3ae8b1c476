from dataclasses import dataclass, field
from typing import Protocol


class PasswordStore(Protocol):
    def verify(self, user: str, password: str) -> bool: ...


@dataclass
class Response:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""


def login(users: PasswordStore, form: dict[str, str], query: dict[str, str]) -> Response:
    if not users.verify(form.get("user", ""), form.get("password", "")):
        return Response(401, body="invalid credentials")
    target = query.get("next") or "/dashboard"
    # expect: open-redirect severity=medium id=next-param
    return Response(302, headers={"Location": target})


def logout() -> Response:
    return Response(302, headers={"Location": "/login"})
