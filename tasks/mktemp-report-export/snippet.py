import csv
import os
import tempfile
from collections.abc import Iterable


def export_rows(rows: Iterable[dict[str, object]], columns: list[str]) -> str:
    """Write rows to a fresh temporary CSV file and return its path."""
    # expect: insecure-temp-file severity=medium id=mktemp
    path = tempfile.mktemp(suffix=".csv", prefix="export-")
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
    return path


def export_and_measure(rows: Iterable[dict[str, object]], columns: list[str]) -> tuple[str, int]:
    path = export_rows(rows, columns)
    return path, os.path.getsize(path)
