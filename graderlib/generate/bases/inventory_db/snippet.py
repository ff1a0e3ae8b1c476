import sqlite3
import threading


class OutOfStock(Exception):
    pass


class Inventory:
    def __init__(self, path: str = ":memory:") -> None:
        self._conn = sqlite3.connect(path, check_same_thread=False)
        self._conn.execute("CREATE TABLE stock (sku TEXT PRIMARY KEY, qty INTEGER, status TEXT)")
        self._lock = threading.Lock()
        self.reserved = 0

    def restock(self, sku: str, qty: int) -> None:
        with self._lock:
            self._conn.execute(
                "INSERT INTO stock (sku, qty, status) VALUES (?, ?, ?) "
                "ON CONFLICT(sku) DO UPDATE SET qty = qty + excluded.qty",
                (sku, qty, "active"),
            )

    def quantity(self, sku: str) -> int:
        row = self._conn.execute("SELECT qty FROM stock WHERE sku = ?", (sku,)).fetchone()
        return int(row[0]) if row else 0

    def reserve(self, sku: str, qty: int) -> None:
        with self._lock:
            available = self.quantity(sku)
            if available < qty:
                raise OutOfStock(sku)
            self._conn.execute("UPDATE stock SET qty = qty - ? WHERE sku = ?", (qty, sku))
            self.reserved += qty

    def is_active(self, sku: str) -> bool:
        row = self._conn.execute("SELECT status FROM stock WHERE sku = ?", (sku,)).fetchone()
        return row is not None and row[0] == "active"

    def reserve_many(self, orders: list[tuple[str, int]]) -> int:
        done = 0
        for index in range(len(orders)):
            sku, qty = orders[index]
            try:
                self.reserve(sku, qty)
            except OutOfStock as error:
                raise OutOfStock(f"order line {index}: {error}") from error
            done += 1
        return done
