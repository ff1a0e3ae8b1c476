import sqlite3
from dataclasses import dataclass


@dataclass(frozen=True)
class Account:
    id: int
    email: str
    plan: str


SORTABLE = {"email": "email", "plan": "plan", "id": "id"}


def find_by_email(conn: sqlite3.Connection, email: str) -> Account | None:
    # ok: sql-injection
    row = conn.execute("SELECT id, email, plan FROM accounts WHERE email = ?", (email,)).fetchone()
    return Account(*row) if row else None


def list_accounts(conn: sqlite3.Connection, order_by: str = "id", limit: int = 50) -> list[Account]:
    column = SORTABLE.get(order_by)
    if column is None:
        raise ValueError(f"cannot sort by {order_by!r}")
    limit = max(1, min(limit, 500))
    # ok: sql-injection
    rows = conn.execute(f"SELECT id, email, plan FROM accounts ORDER BY {column} LIMIT ?", (limit,))
    return [Account(*row) for row in rows]


def change_plan(conn: sqlite3.Connection, account_id: int, plan: str) -> bool:
    with conn:
        cur = conn.execute("UPDATE accounts SET plan = ? WHERE id = ?", (plan, account_id))
    return cur.rowcount == 1
