import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any


class AuditLog:
    def __init__(self) -> None:
        self.conn = sqlite3.connect(":memory:")
        self.conn.execute(
            "CREATE TABLE audit (seq INTEGER PRIMARY KEY, actor TEXT, action TEXT, chain TEXT)"
        )
        self.head = "0" * 64

    def append(self, actor: str, action: str, extra: dict[str, Any] | None = None) -> str:
        if extra is None:
            extra = {}
        extra.setdefault("actor", actor)
        payload = json.dumps({"action": action, **extra}, sort_keys=True)
        self.head = hashlib.sha256((self.head + payload).encode()).hexdigest()
        self.conn.execute(
            "INSERT INTO audit (actor, action, chain) VALUES (?, ?, ?)", (actor, action, self.head)
        )
        return self.head

    def entries_for(self, actor: str) -> list[tuple[str, str]]:
        rows = self.conn.execute(
            "SELECT action, chain FROM audit WHERE actor = ? ORDER BY seq", (actor,)
        )
        return [(action, chain) for action, chain in rows]

    def deletions(self) -> int:
        rows = self.conn.execute("SELECT action FROM audit").fetchall()
        return sum(1 for (action,) in rows if action == "delete")

    def export_jsonl(self, path: Path) -> int:
        rows = self.conn.execute("SELECT seq, actor, action, chain FROM audit ORDER BY seq")
        count = 0
        with open(path, "w", encoding="utf-8") as handle:
            for seq, actor, action, chain in rows:
                handle.write(
                    json.dumps({"seq": seq, "actor": actor, "action": action, "chain": chain})
                    + "\n"
                )
                count += 1
        return count
