import subprocess
import warnings

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import snippet


def fake(stdout="", fail=False):
    calls = []

    def run(args, **kwargs):
        calls.append((args, kwargs))
        if fail:
            raise subprocess.CalledProcessError(128, args, "", "fatal: not a git repository\n")
        return subprocess.CompletedProcess(args, 0, stdout=stdout, stderr="")

    return run, calls


def test_commands_are_lists_without_shell(monkeypatch, tmp_path):
    run, calls = fake("3\n")
    monkeypatch.setattr(snippet.subprocess, "run", run)
    assert snippet.commit_count(tmp_path / "repo; rm -rf ~", "2 weeks ago") == 3
    snippet.top_authors(tmp_path)
    assert all(isinstance(a, list) and not k.get("shell", False) for a, k in calls)


def test_authors_skip_bots_and_detached_head(monkeypatch, tmp_path):
    bot = "".join(["dependabot", "[bot]"])
    run, _ = fake(f"ann\n{bot}\nann\nbob\n")
    monkeypatch.setattr(snippet.subprocess, "run", run)
    assert snippet.top_authors(tmp_path) == [("ann", 2), ("bob", 1)]
    run, _ = fake(" HEAD \n")
    monkeypatch.setattr(snippet.subprocess, "run", run)
    assert snippet.current_branch(tmp_path) == "(detached)"


def test_git_failures_raise(monkeypatch, tmp_path):
    run, _ = fake(fail=True)
    monkeypatch.setattr(snippet.subprocess, "run", run)
    with pytest.raises(snippet.GitError):
        snippet.current_branch(tmp_path)
