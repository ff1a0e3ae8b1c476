import subprocess

import snippet


def test_tar_runs_without_a_shell(tmp_path, monkeypatch):
    calls = []

    def fake_run(args, **kwargs):
        calls.append((args, kwargs))
        return subprocess.CompletedProcess(args, 0)

    monkeypatch.setattr(snippet.subprocess, "run", fake_run)
    (tmp_path / "db.sql").write_text("dump")
    snippet.archive(tmp_path, "nightly; touch pwned")
    args, kwargs = calls[-1]
    assert not kwargs.get("shell", False)
    assert isinstance(args, list)


def test_does_not_use_mktemp(tmp_path, monkeypatch):
    def refuse(*a, **k):
        raise AssertionError("mktemp is racy")

    monkeypatch.setattr(snippet.tempfile, "mktemp", refuse)
    monkeypatch.setattr(snippet.subprocess, "run",
                        lambda args, **kw: subprocess.CompletedProcess(args, 0))
    (tmp_path / "db.sql").write_text("dump")
    snippet.archive(tmp_path, "nightly")
