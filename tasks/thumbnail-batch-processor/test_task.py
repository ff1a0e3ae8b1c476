import gc
import json
import warnings

import pytest

from snippet import write_metadata


def test_writes_and_closes(tmp_path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        paths = write_metadata("acme", [{"name": "cat", "url": "s3://a/cat.png"}], tmp_path)
        gc.collect()
    assert json.loads(paths[0].read_text())["source"] == "s3://a/cat.png"
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]


def test_names_cannot_escape_the_tenant(tmp_path):
    with pytest.raises(ValueError):
        write_metadata("acme", [{"name": "../../other/thumbs/x", "url": "u"}], tmp_path)
    assert not (tmp_path / "other").exists()
