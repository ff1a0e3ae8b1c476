"""The ``graderlib`` command: in-process through ``main([...])``, plus one subprocess per command.

The scan, verify-patch and generate commands have their in-process tests beside their
libraries (test_scan, test_verify, test_generate); this file holds the rest, the shared error
path, and the smoke tests that run the installed entry points.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import graderlib.cli.grade
from graderlib.cli import COMMANDS, BadInput, ExitCode, main
from graderlib.cli.base import require
from tests.grading_support import FIXTURES, RATIONALE, make_task

GRADERLIB = Path(__file__).resolve().parents[1] / "graderlib"
PATCH_TASKS = Path(__file__).parent / "fixtures" / "patch_tasks"
SQLI_LINE = 11  # of tests/fixtures/core_tasks/user_repo


def _findings(tmp_path: Path, rows: object) -> Path:
    path = tmp_path / "findings.json"
    path.write_text(json.dumps(rows))
    return path


# ------------------------------------------------------------------------------ commands


def test_grade_prints_the_report_and_rejects_bad_findings(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    good = _findings(tmp_path, [{"line": SQLI_LINE, "category": "B608", "message": RATIONALE}])
    assert main(["grade", str(FIXTURES / "user_repo"), str(good), "--json"]) == ExitCode.OK
    assert json.loads(capsys.readouterr().out)["score"] > 0
    assert main(["grade", str(FIXTURES / "user_repo"), str(good)]) == ExitCode.OK
    text = capsys.readouterr().out
    assert text.startswith("task ") and f"line {SQLI_LINE} sql-injection: matched" in text
    bad = _findings(tmp_path, [{"line": "eleven"}])
    assert main(["grade", str(FIXTURES / "user_repo"), str(bad)]) == ExitCode.BAD_INPUT
    captured = capsys.readouterr()
    assert captured.err.startswith("graderlib: error: ") and "findings[0]" in captured.err
    assert captured.err.count("\n") == 1 and "Traceback" not in captured.err
    assert main(["grade", str(tmp_path / "no-task"), str(good)]) == ExitCode.BAD_INPUT
    assert "no-task" in capsys.readouterr().err


def test_tasks_show_list_and_lint(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["tasks", "show", str(FIXTURES / "user_repo")]) == ExitCode.OK
    shown = capsys.readouterr().out
    assert "expect" not in shown and "11 |" in shown
    assert main(["tasks", "show", str(FIXTURES / "user_repo"), "--answers"]) == ExitCode.OK
    assert "sqli-find" in capsys.readouterr().out
    assert main(["tasks", "list", "--json", str(FIXTURES)]) == ExitCode.OK
    rows = {row["id"]: row for row in json.loads(capsys.readouterr().out)}
    assert len(rows) == 2 and any(row["categories"] == [] for row in rows.values())
    broken = make_task(tmp_path, "# expect: nonsense\nx = 1\n", name="broken")
    code = main(["tasks", "lint", str(broken), str(FIXTURES), "--no-tests"])
    lint = capsys.readouterr().out
    assert code == ExitCode.FAILED
    assert "snippet.py:1: task 'broken': unknown category 'nonsense'" in lint
    assert "3 task(s), 1 error(s)" in lint
    assert main(["tasks", "lint", str(tmp_path / "empty")]) == ExitCode.BAD_INPUT
    assert "no task.toml found" in capsys.readouterr().err


def test_lint_fails_when_the_reference_fix_cannot_be_checked(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A broken install must not make ``tasks lint`` pass without checking the fixes."""
    monkeypatch.setitem(sys.modules, "graderlib.verify", None)  # importing it now fails
    code = main(["tasks", "lint", str(PATCH_TASKS / "pagination-window")])
    out = capsys.readouterr().out
    assert code == ExitCode.FAILED
    assert "cannot check the tests and reference fix" in out and "1 error(s)" in out


def test_scorecard_prints_cards_and_rejects_unknown_agents(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["scorecard", str(FIXTURES), "--agents", "oracle", "--json"]) == ExitCode.OK
    card = json.loads(capsys.readouterr().out)
    assert card["tool"] == "oracle" and card["overall"]["mean_score"] == 1.0
    assert main(["scorecard", str(FIXTURES), "--agents", "oracle,psychic"]) == ExitCode.BAD_INPUT
    err = capsys.readouterr().err
    assert "unknown agent(s) psychic" in err and err.startswith("graderlib: error: --agent:")


# ------------------------------------------------------------------------------ the error path


def test_usage_errors_and_help_are_exit_codes_not_exceptions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["--help"]) == ExitCode.OK
    listed = capsys.readouterr().out
    assert all(command.name in listed for command in COMMANDS)
    assert main([]) == ExitCode.BAD_INPUT
    assert main(["no-such-command"]) == ExitCode.BAD_INPUT
    assert "invalid choice: 'no-such-command'" in capsys.readouterr().err
    assert main(["tasks", "generate", "out", "--count", "many"]) == ExitCode.BAD_INPUT
    assert "--count: invalid int value" in capsys.readouterr().err


def test_an_unexpected_error_is_one_line_and_exit_3(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(args: object) -> ExitCode:
        raise RuntimeError("the grader broke")

    monkeypatch.setattr(graderlib.cli.grade, "cmd_grade", broken)
    findings = _findings(tmp_path, [])
    assert main(["grade", str(FIXTURES / "user_repo"), str(findings)]) == ExitCode.INTERNAL
    assert capsys.readouterr().err == "graderlib: internal error: RuntimeError: the grader broke\n"


def test_a_missing_optional_extra_is_bad_input_naming_the_extra() -> None:
    assert require("json", "env").dumps([]) == "[]"
    with pytest.raises(BadInput, match=r"pip install 'graderlib\[infer\]'"):
        require("graderlib_no_such_module", "infer")


def test_commands_report_errors_only_through_main() -> None:
    """One error path: no command module prints to stderr or exits by itself, and the library
    never imports the CLI back."""
    for module in (GRADERLIB / "cli").glob("*.py"):
        if module.name in ("__init__.py", "base.py", "__main__.py"):
            continue
        source = module.read_text()
        for forbidden in ("sys.stderr", "sys.exit", "SystemExit", "EXIT_"):
            assert forbidden not in source, f"{module.name} uses {forbidden}"
    for module in GRADERLIB.rglob("*.py"):
        inside = module.relative_to(GRADERLIB)
        if inside.parts[0] != "cli" and inside != Path("__main__.py"):
            assert "graderlib.cli" not in module.read_text(), f"{module} imports the CLI"


# ------------------------------------------------------------------------------ entry points


def _entry_point(*args: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("graderlib")
    assert script.exists(), f"the console script is not installed at {script}"
    return subprocess.run(
        [str(script), *args], capture_output=True, text=True, timeout=120, check=False
    )


@pytest.mark.slow
def test_smoke_grade(tmp_path: Path) -> None:
    findings = _findings(tmp_path, [{"line": SQLI_LINE, "category": "sql-injection"}])
    done = _entry_point("grade", str(FIXTURES / "user_repo"), str(findings), "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["issues_found"] == 1


@pytest.mark.slow
def test_smoke_tasks() -> None:
    done = _entry_point("tasks", "show", str(FIXTURES / "user_repo"))
    assert done.returncode == 0, done.stderr
    assert "11 |" in done.stdout


@pytest.mark.slow
def test_smoke_scan(tmp_path: Path) -> None:
    code = tmp_path / "app.py"
    code.write_text("import os\n\ndef run(name):\n    os.system('ls ' + name)\n")
    done = _entry_point("scan", "--tools", "graderlib", str(code))
    assert done.returncode == 1, done.stderr
    assert f"{code}:4: " in done.stdout and "command-injection" in done.stdout


@pytest.mark.slow
def test_smoke_verify_patch_through_python_m(tmp_path: Path) -> None:
    """``python -m graderlib`` is the same command; a rejected patch is a one-line error."""
    evil = tmp_path / "evil.diff"
    evil.write_text("--- /etc/passwd\n+++ /etc/passwd\n@@ -1 +1 @@\n-root\n+owned\n")
    task = PATCH_TASKS / "sqli-order-lookup"
    done = subprocess.run(
        [sys.executable, "-m", "graderlib", "verify-patch", str(task), str(evil), "--no-tests"],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert "NOT RESOLVED" in done.stdout
    assert done.stderr.startswith("graderlib: error: ") and "absolute" in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.slow
def test_smoke_scorecard() -> None:
    done = _entry_point("scorecard", str(FIXTURES), "--agents", "oracle")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("oracle (default): 2 tasks, 5 results, 0 unmapped")
    assert "TPR 1.000" in done.stdout and "mean score 1.000" in done.stdout
