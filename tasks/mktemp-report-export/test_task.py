import csv
import os
import stat

from snippet import export_rows


def test_export_content_and_private_mode():
    path = export_rows([{"a": 1, "b": 2}], ["a", "b"])
    try:
        with open(path, newline="") as handle:
            assert list(csv.DictReader(handle)) == [{"a": "1", "b": "2"}]
        assert stat.S_IMODE(os.stat(path).st_mode) & 0o077 == 0
    finally:
        os.unlink(path)


def test_does_not_use_mktemp(monkeypatch):
    import tempfile

    def refuse(*args, **kwargs):
        raise AssertionError("tempfile.mktemp is racy")

    monkeypatch.setattr(tempfile, "mktemp", refuse)
    os.unlink(export_rows([], ["a"]))
