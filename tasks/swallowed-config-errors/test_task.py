import pytest

from snippet import ConfigError, load_config


def test_defaults_without_file(tmp_path):
    assert load_config(tmp_path / "missing.json")["workers"] == 4


def test_overrides(tmp_path):
    path = tmp_path / "c.json"
    path.write_text('{"workers": "8"}')
    assert load_config(path)["workers"] == 8


@pytest.mark.parametrize("text", ['{"workers": 8', '{"workers": "many"}'])
def test_broken_file_is_reported(tmp_path, text):
    path = tmp_path / "c.json"
    path.write_text(text)
    with pytest.raises(ConfigError):
        load_config(path)
