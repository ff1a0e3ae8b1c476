import hashlib
import logging
import sqlite3
from dataclasses import dataclass

log = logging.getLogger("accounts")


class DuplicateUser(Exception):
    pass


@dataclass
class User:
    id: int
    name: str
    role: str


def open_store(path: str = ":memory:") -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT UNIQUE, role TEXT)")
    conn.execute("CREATE TABLE tokens (digest TEXT PRIMARY KEY, user_id INTEGER, label TEXT)")
    return conn


def create_user(conn: sqlite3.Connection, name: str, role: str = "member") -> int:
    try:
        cur = conn.execute("INSERT INTO users (name, role) VALUES (?, ?)", (name, role))
    except sqlite3.IntegrityError as error:
        raise DuplicateUser(name) from error
    log.info("created user %s", name)
    return int(cur.lastrowid or 0)


def find_user(conn: sqlite3.Connection, name: str) -> User:
    row = conn.execute("SELECT id, name, role FROM users WHERE name = ?", (name,)).fetchone()
    if row is None:
        raise KeyError(name)
    return User(*row)


def is_admin(user: User) -> bool:
    return user.role == "admin"


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def store_token(conn: sqlite3.Connection, user_id: int, token: str, label: str) -> None:
    conn.execute(
        "INSERT INTO tokens (digest, user_id, label) VALUES (?, ?, ?)",
        (token_digest(token), user_id, label),
    )
    log.info("stored token for user %s", user_id)


def grant_roles(user: User, roles: list[str] | None = None) -> list[str]:
    if roles is None:
        roles = []
    roles.append(user.role)
    return sorted(set(roles))
