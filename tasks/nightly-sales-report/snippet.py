import logging
from dataclasses import dataclass
from datetime import date, timedelta

log = logging.getLogger("reports")


@dataclass
class Sale:
    day: date
    amount_cents: int


class ReportError(Exception):
    pass


def daily_totals(sales: list[Sale]) -> dict[date, int]:
    totals: dict[date, int] = {}
    for sale in sales:
        totals[sale.day] = totals.get(sale.day, 0) + sale.amount_cents
    return totals


def week_report(sales: list[Sale], end: date) -> list[tuple[date, int]]:
    """The 7 days ending with ``end`` (inclusive), oldest first."""
    totals = daily_totals(sales)
    # expect: off-by-one severity=medium id=six-days
    days = [end - timedelta(days=offset) for offset in range(1, 7)]
    return [(day, totals.get(day, 0)) for day in sorted(days)]


def parse_sale(row: dict[str, str]) -> Sale:
    try:
        return Sale(date.fromisoformat(row["day"]), int(row["amount_cents"]))
    # ok: swallowed-exception
    except (KeyError, ValueError) as error:
        log.error("bad row %r", row)
        raise ReportError(f"bad row: {error}") from error


def load_sales(rows: list[dict[str, str]]) -> list[Sale]:
    sales = []
    for row in rows:
        try:
            sales.append(parse_sale(row))
        # expect: swallowed-exception severity=medium id=skip-bad-rows
        except Exception:
            continue
    return sales
