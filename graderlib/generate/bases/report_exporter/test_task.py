import csv
import gc
import warnings
from decimal import Decimal

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from snippet import ExportError, chunked, column_widths, export_rows, formatters, read_totals


def no_resource_warnings(action):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = action()
        gc.collect()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]
    return result


def test_export_writes_every_column_and_closes(tmp_path):
    path = tmp_path / "out.csv"
    rows = [{"a": f" {n} ", "b": str(n * 2)} for n in range(250)]
    no_resource_warnings(lambda: export_rows(path, rows, ["a", "b"]))
    with open(path, newline="") as handle:
        written = list(csv.reader(handle))
    assert written[0] == ["a", "b"]
    assert written[1] == ["0", "0"]
    assert len(written) == 251


def test_notes_do_not_accumulate(tmp_path):
    assert export_rows(tmp_path / "1.csv", [], ["a"]) == ["0 rows"]
    assert export_rows(tmp_path / "2.csv", [], ["a"]) == ["0 rows"]


def test_formatters_and_chunks():
    cells = formatters(["x", "y"])
    assert [c({"x": "1", "y": "2"}) for c in cells] == ["1", "2"]
    assert [len(c) for c in chunked([{}] * 5, 2)] == [2, 2, 1]
    assert column_widths([["ab", "c"], ["d", "efg"]]) == [2, 3]


def test_totals_by_currency_and_bad_amounts(tmp_path):
    path = tmp_path / "in.csv"
    path.write_text('account,currency,amount\nA,eur,"1,000.50"\nA,EUR,2\nB,USD,5\n')
    assert no_resource_warnings(lambda: read_totals(path, "".join(["E", "UR"]))) == {
        "A": Decimal("1002.50")
    }
    path.write_text("account,currency,amount\nA,EUR,lots\n")
    with pytest.raises(ExportError):
        read_totals(path)
