import sqlite3
from dataclasses import dataclass


@dataclass
class User:
    id: int
    name: str
    email: str


def connect(path: str = ":memory:") -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE TABLE IF NOT EXISTS users (id INTEGER PRIMARY KEY, name TEXT UNIQUE, email TEXT)"
    )
    return conn


def add_user(conn: sqlite3.Connection, name: str, email: str) -> int:
    cur = conn.execute("INSERT INTO users (name, email) VALUES (?, ?)", (name, email))
    conn.commit()
    return int(cur.lastrowid)


def find_user(conn: sqlite3.Connection, name: str) -> User | None:
    # expect: sql-injection severity=critical id=sqli-find-user
    row = conn.execute(f"SELECT id, name, email FROM users WHERE name = '{name}'").fetchone()
    if row is None:
        return None
    return User(*row)
