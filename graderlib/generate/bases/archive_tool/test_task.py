import gc
import json
import subprocess
import warnings

import pytest

yaml = pytest.importorskip("yaml")

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import snippet


def quiet(action):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = action()
        gc.collect()
    assert not [w for w in caught if issubclass(w.category, ResourceWarning)]
    return result


@pytest.fixture
def runs(monkeypatch):
    calls = []

    def fake_run(args, **kwargs):
        calls.append((args, kwargs))
        return subprocess.CompletedProcess(args, 0, stdout="./a\n./b\n", stderr="")

    monkeypatch.setattr(snippet.subprocess, "run", fake_run)
    return calls


def test_commands_are_argument_lists_without_shell(tmp_path, runs):
    snippet.archive_directory(tmp_path / "my dir; rm -rf x", tmp_path / "out.tgz")
    snippet.verify_archive(tmp_path / "out file.tgz")
    for args, kwargs in runs:
        assert isinstance(args, list) and not kwargs.get("shell", False)


def test_plan_and_manifest(tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text("targets: [/srv/a]\n")
    assert quiet(lambda: snippet.read_plan(plan)) == {"targets": ["/srv/a"]}
    quiet(lambda: snippet.write_manifest(tmp_path / "m.json", [tmp_path / "a.tgz"]))
    assert json.loads((tmp_path / "m.json").read_text())["archives"] == [str(tmp_path / "a.tgz")]


def test_plan_refuses_python_tags(tmp_path):
    plan = tmp_path / "plan.yaml"
    plan.write_text("targets: !!python/object/apply:os.getcwd []\n")
    with pytest.raises(yaml.YAMLError):
        snippet.read_plan(plan)
