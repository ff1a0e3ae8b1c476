import io

import pytest

from snippet import MAX_UPLOAD_BYTES, parse_upload, read_body


def test_normal_upload():
    body = b"a,b\n1,2\n"
    assert parse_upload(read_body({"Content-Length": str(len(body))}, io.BytesIO(body))) == [
        {"a": "1", "b": "2"}
    ]


def test_oversized_declared_length_is_refused_before_reading():
    class Exploding(io.BytesIO):
        def read(self, n=-1):
            raise AssertionError("body should not be read")

    with pytest.raises(ValueError):
        read_body({"Content-Length": str(MAX_UPLOAD_BYTES + 1)}, Exploding())
