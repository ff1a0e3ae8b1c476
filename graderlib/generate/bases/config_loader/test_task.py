import gc
import json
import warnings

import pytest

yaml = pytest.importorskip("yaml")

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from snippet import ConfigError, load_settings, read_yaml


def quiet(action):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = action()
        gc.collect()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]
    return result


def test_layers_and_closes_files(tmp_path, monkeypatch):
    base = tmp_path / "base.yaml"
    base.write_text("workers: 2\nname: api\n")
    over = tmp_path / "over.json"
    over.write_text(json.dumps({"workers": 4}))
    monkeypatch.setenv("APP_MODE", " MAINTENANCE ".strip())
    settings = quiet(lambda: load_settings(base, over))
    assert settings == {"workers": 4, "name": "api", "read_only": True}


def test_errors_are_config_errors(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("a: [1, 2\n")
    with pytest.raises(ConfigError):
        read_yaml(bad)
    empty = tmp_path / "empty.yaml"
    empty.write_text("")
    with pytest.raises(ConfigError):
        read_yaml(empty)


def test_python_tags_are_refused(tmp_path):
    evil = tmp_path / "evil.yaml"
    evil.write_text("x: !!python/object/apply:os.getcwd []\n")
    with pytest.raises(ConfigError):
        read_yaml(evil)
