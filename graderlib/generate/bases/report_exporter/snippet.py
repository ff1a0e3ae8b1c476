import csv
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path


class ExportError(Exception):
    pass


def formatters(columns: list[str]) -> list[Callable[[dict[str, str]], str]]:
    result = []
    for column in columns:
        result.append(lambda row, column=column: row.get(column, "").strip())
    return result


def chunked(rows: list[dict[str, str]], size: int) -> list[list[dict[str, str]]]:
    return [rows[start : start + size] for start in range(0, len(rows), size)]


def export_rows(
    path: Path, rows: list[dict[str, str]], columns: list[str], notes: list[str] | None = None
) -> list[str]:
    if notes is None:
        notes = []
    cells = formatters(columns)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for batch in chunked(rows, 100):
            for row in batch:
                writer.writerow([cell(row) for cell in cells])
    notes.append(f"{len(rows)} rows")
    return notes


def parse_amount(text: str) -> Decimal:
    try:
        return Decimal(text.replace(",", ""))
    except InvalidOperation as error:
        raise ExportError(f"bad amount {text!r}") from error


def read_totals(path: Path, currency: str = "EUR") -> dict[str, Decimal]:
    totals: dict[str, Decimal] = {}
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["currency"].strip().upper() == currency:
                account = row["account"]
                totals[account] = totals.get(account, Decimal(0)) + parse_amount(row["amount"])
    return totals


def column_widths(rows: list[list[str]]) -> list[int]:
    widths = [0] * len(rows[0])
    for index in range(len(widths)):
        widths[index] = max(len(row[index]) for row in rows)
    return widths
