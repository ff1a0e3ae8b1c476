import pytest

import snippet


def test_reads_attachment(tmp_path):
    (tmp_path / "7").mkdir()
    (tmp_path / "7" / "log.txt").write_text("hello")
    data, ctype = snippet.download_attachment(7, "log.txt", str(tmp_path))
    assert data == b"hello" and ctype == "text/plain"


@pytest.mark.parametrize("name", ["../secret.txt", "../../secret.txt"])
def test_cannot_escape_ticket_directory(tmp_path, name):
    (tmp_path / "7").mkdir()
    (tmp_path / "secret.txt").write_text("top secret")
    with pytest.raises((snippet.NotFound, ValueError, PermissionError)):
        snippet.download_attachment(7, name, str(tmp_path))
