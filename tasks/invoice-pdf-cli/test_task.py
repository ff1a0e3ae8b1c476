import subprocess
from pathlib import Path

import pytest

import snippet


def test_converter_runs_without_a_shell(monkeypatch, tmp_path):
    calls = []

    def fake_run(args, **kwargs):
        calls.append((args, kwargs))
        return subprocess.CompletedProcess(args, 0, stdout="", stderr="")

    def refuse_system(command):
        raise AssertionError("os.system goes through a shell")

    monkeypatch.setattr(snippet.subprocess, "run", fake_run)
    monkeypatch.setattr(snippet.os, "system", refuse_system)
    snippet.render_pdf(tmp_path / "a.html", tmp_path / "out" / "a.pdf", 'x"; touch pwned; "')
    args, kwargs = calls[0]
    assert isinstance(args, list) and not kwargs.get("shell", False)


@pytest.mark.parametrize("customer", ["../../etc", "acme/../../x", "/abs"])
def test_customer_cannot_escape_export_dir(tmp_path, customer):
    try:
        path = snippet.pdf_path(customer, 7, tmp_path)
    except ValueError:
        return
    assert path.resolve().is_relative_to(tmp_path.resolve())
