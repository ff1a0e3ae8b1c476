from dataclasses import dataclass, field


@dataclass
class Response:
    status: int
    headers: dict[str, str] = field(default_factory=dict)
    body: str = ""


def check_credentials(users: dict[str, str], name: str, password: str) -> bool:
    return users.get(name) is not None and users[name] == password


def login(users: dict[str, str], form: dict[str, str], query: dict[str, str]) -> Response:
    if not check_credentials(users, form.get("user", ""), form.get("password", "")):
        return Response(401, body="invalid credentials")
    target = query.get("next") or "/dashboard"
    # expect: open-redirect severity=medium id=next-param
    return Response(302, headers={"Location": target})


def logout() -> Response:
    return Response(302, headers={"Location": "/login"})
