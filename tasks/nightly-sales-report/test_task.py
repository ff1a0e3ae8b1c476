from datetime import date

import pytest

from snippet import ReportError, Sale, load_sales, week_report


def test_week_has_seven_days_ending_today():
    end = date(2024, 3, 10)
    report = week_report([Sale(end, 500), Sale(date(2024, 3, 4), 100)], end)
    assert len(report) == 7
    assert report[0] == (date(2024, 3, 4), 100)
    assert report[-1] == (end, 500)


def test_bad_rows_are_not_silently_dropped():
    with pytest.raises(ReportError):
        load_sales([{"day": "2024-03-01", "amount_cents": "12"}, {"day": "yesterday"}])
