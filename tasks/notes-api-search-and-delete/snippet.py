import sqlite3
from dataclasses import dataclass


@dataclass
class Note:
    id: int
    owner: str
    title: str
    body: str


class Forbidden(Exception):
    pass


def open_db(path: str = ":memory:") -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE TABLE IF NOT EXISTS notes ("
        "id INTEGER PRIMARY KEY, owner TEXT NOT NULL, title TEXT, body TEXT)"
    )
    return conn


def get_note(conn: sqlite3.Connection, user: str, note_id: int) -> Note | None:
    # ok: sql-injection
    row = conn.execute(
        "SELECT id, owner, title, body FROM notes WHERE id = ? AND owner = ?", (note_id, user)
    ).fetchone()
    return Note(*row) if row else None


def create_note(conn: sqlite3.Connection, owner: str, title: str, body: str) -> int:
    cur = conn.execute(
        "INSERT INTO notes (owner, title, body) VALUES (?, ?, ?)", (owner, title, body)
    )
    conn.commit()
    return int(cur.lastrowid)


def search_notes(conn: sqlite3.Connection, user: str, text: str) -> list[Note]:
    # expect: sql-injection severity=critical id=search-like
    rows = conn.execute(
        "SELECT id, owner, title, body FROM notes "
        f"WHERE owner = ? AND (title LIKE '%{text}%' OR body LIKE '%{text}%')",
        (user,),
    ).fetchall()
    return [Note(*row) for row in rows]


def delete_note(conn: sqlite3.Connection, user: str, note_id: int) -> None:
    # expect: missing-authorization severity=high id=delete-by-id
    conn.execute("DELETE FROM notes WHERE id = ?", (note_id,))
    conn.commit()
