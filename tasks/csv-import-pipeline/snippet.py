import csv
import io
import logging
import sqlite3
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

log = logging.getLogger("imports")

REQUIRED = ("email", "name", "country")
BATCH_SIZE = 500


class ImportRejected(Exception):
    """The file cannot be imported at all (wrong header, unreadable)."""


@dataclass
class ImportReport:
    inserted: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)


def open_db(path: str = ":memory:") -> sqlite3.Connection:
    conn = sqlite3.connect(path)
    conn.execute(
        "CREATE TABLE IF NOT EXISTS customers (email TEXT PRIMARY KEY, name TEXT, country TEXT)"
    )
    return conn


def read_rows(text: str) -> Iterator[dict[str, str]]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [column for column in REQUIRED if column not in (reader.fieldnames or [])]
    if missing:
        raise ImportRejected(f"missing columns: {', '.join(missing)}")
    for row in reader:
        yield {key: (value or "").strip() for key, value in row.items() if key}


def validate(row: dict[str, str]) -> str | None:
    """The reason a row is rejected, or None when it is fine."""
    if "@" not in row["email"]:
        return "invalid email"
    if len(row["country"]) != 2:
        return "country must be a 2-letter code"
    # ok: identity-comparison
    if row["name"] == "":
        return "name is empty"
    return None


def batches(rows: Iterable[dict[str, str]], size: int) -> Iterator[list[dict[str, str]]]:
    batch: list[dict[str, str]] = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []


def insert_batch(conn: sqlite3.Connection, batch: list[dict[str, str]]) -> int:
    with conn:
        # ok: sql-injection
        conn.executemany(
            "INSERT INTO customers (email, name, country) VALUES (:email, :name, :country)",
            batch,
        )
    return len(batch)


def import_csv(conn: sqlite3.Connection, text: str, batch_size: int = BATCH_SIZE) -> ImportReport:
    report = ImportReport()
    rows = read_rows(text)
    valid: list[dict[str, str]] = []
    for number, row in enumerate(rows, start=2):
        reason = validate(row)
        if reason is None:
            valid.append(row)
        else:
            report.rejected.append((number, reason))
    for batch in batches(valid, batch_size):
        try:
            report.inserted += insert_batch(conn, batch)
        # expect: swallowed-exception severity=medium id=integrity-swallowed
        except sqlite3.Error:
            log.debug("batch skipped")
    return report


def preview(text: str, limit: int = 5) -> tuple[int, list[dict[str, str]]]:
    """How many data rows the file has, and the first few of them."""
    rows = read_rows(text)
    # expect: exhausted-iterator severity=medium id=count-then-slice
    total = sum(1 for _ in rows)
    first = [row for _, row in zip(range(limit), rows)]
    return total, first
