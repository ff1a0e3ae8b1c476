import subprocess
import warnings
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import snippet


@pytest.fixture
def runs(monkeypatch):
    calls = []

    def run(args, **kwargs):
        calls.append((args, kwargs))
        return subprocess.CompletedProcess(args, 0, stdout="garbage", stderr="")

    monkeypatch.setattr(snippet.subprocess, "run", run)
    return calls


def test_commands_are_lists_without_shell(runs):
    snippet.convert_image(Path("in; rm -rf ~.jpg"), Path("out.png"), "thumb")
    with pytest.raises(ValueError):
        snippet.dimensions(Path("x y.png"))
    assert all(isinstance(a, list) and not k.get("shell", False) for a, k in runs)


def test_unknown_size_and_unreadable_dimensions(runs):
    with pytest.raises(ValueError):
        snippet.convert_image(Path("a.jpg"), Path("b.png"), "huge")
    with pytest.raises(ValueError):
        snippet.dimensions(Path("a.jpg"))


def test_batches_are_independent(runs, tmp_path):
    assert len(snippet.convert_all([Path("a.jpg")], tmp_path)) == 2
    assert len(snippet.convert_all([Path("b.jpg")], tmp_path)) == 2
