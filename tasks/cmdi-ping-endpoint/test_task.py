import subprocess

import snippet


class Recorder:
    def __init__(self):
        self.calls = []

    def __call__(self, args, **kwargs):
        self.calls.append((args, kwargs))
        return subprocess.CompletedProcess(args, 0, stdout="ok", stderr="")


def test_host_is_passed_as_one_argument_without_a_shell(monkeypatch):
    recorder = Recorder()
    monkeypatch.setattr(snippet.subprocess, "run", recorder)
    snippet.ping_host("example.com; touch /tmp/pwned", 2)
    args, kwargs = recorder.calls[0]
    assert not kwargs.get("shell", False)
    assert isinstance(args, list)
    assert "example.com; touch /tmp/pwned" in args


def test_reports_reachability(monkeypatch):
    monkeypatch.setattr(snippet.subprocess, "run", Recorder())
    assert snippet.ping_host("example.com")["reachable"] is True
