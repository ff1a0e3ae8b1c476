"""verify_patch on real tasks: real detectors, real sandboxed tests, real verdicts."""

from __future__ import annotations

import difflib
import json
import shutil
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graderlib.cli import main
from graderlib.task import Task, load_task
from graderlib.verify import check_reference_fix, verify_patch
from graderlib.verify.patch import ApplyLevel
from graderlib.verify.sandbox import SandboxLimits

TASKS = Path(__file__).parent / "fixtures" / "patch_tasks"
FAST = SandboxLimits(cpu_seconds=2, wall_seconds=5.0)
SQL_LINE = (
    "    rows = conn.execute("
    "f\"SELECT total FROM orders WHERE customer = '{customer}'\").fetchall()"
)
SQL_FIXED = (
    '    rows = conn.execute("SELECT total FROM orders WHERE customer = ?", (customer,)).fetchall()'
)


def task(name: str) -> Task:
    return load_task(TASKS / name)


def diff(old: str, new: str) -> str:
    return "".join(
        difflib.unified_diff(
            old.splitlines(True), new.splitlines(True), "a/snippet.py", "b/snippet.py"
        )
    )


def edit(source: str, old: str, new: str) -> str:
    assert old in source, old
    return source.replace(old, new)


def test_reference_fix_resolves_with_detector_and_tests() -> None:
    sqli = task("sqli-order-lookup")
    verdict = verify_patch(sqli, (TASKS / "sqli-order-lookup" / "fix.diff").read_text())
    assert verdict.resolved
    assert verdict.apply_level is ApplyLevel.EXACT
    assert [o.id for o in verdict.fixed_issues] == ["sqli-orders"]
    assert verdict.fixed_issues[0].judged_by == "detector"
    assert set(verdict.fail_to_pass) == {
        "test_injection_payload_matches_nothing",
        "test_quote_in_name_is_literal",
    }
    assert set(verdict.pass_to_pass) == {"test_orders_of_customer", "test_total_of_customer"}
    assert verdict.new_findings == ()
    assert verdict.summary.endswith("Resolved.")
    assert verdict.isolation is not None and verdict.isolation.startswith("namespace")


def test_fuzzy_but_valid_patch_still_resolves() -> None:
    sqli = task("sqli-order-lookup")
    # written against a slightly different file: three lines off, and a context line two
    # lines above the change differs (patch --fuzz 2 may ignore it)
    drifted = "# orders\n\n\n" + edit(
        sqli.source, "\n\ndef orders_of", "\n# lookups\ndef orders_of"
    )
    patch = diff(drifted, edit(drifted, SQL_LINE, SQL_FIXED))
    verdict = verify_patch(sqli, patch)
    assert verdict.applied
    assert verdict.apply_level is ApplyLevel.FUZZ
    assert "offset" in verdict.apply_detail
    assert verdict.resolved, verdict.reasons


def test_no_op_patch_is_not_resolved() -> None:
    sqli = task("sqli-order-lookup")
    verdict = verify_patch(sqli, sqli.source)  # the same file back
    assert verdict.applied and verdict.apply_level is ApplyLevel.REPLACEMENT
    assert not verdict.resolved
    assert [o.id for o in verdict.remaining_issues] == ["sqli-orders"]
    assert verdict.fail_to_pass == ()
    assert "test_injection_payload_matches_nothing" in verdict.still_failing
    assert any("remains" in r for r in verdict.reasons)


def test_patch_that_fixes_one_issue_and_adds_another() -> None:
    sqli = task("sqli-order-lookup")
    patched = edit(sqli.source, SQL_LINE, SQL_FIXED)
    patched = edit(
        patched,
        "    return sum(orders_of(conn, customer))",
        '    return eval("+".join(map(str, orders_of(conn, customer))) or "0")',
    )
    verdict = verify_patch(sqli, diff(sqli.source, patched))
    assert [o.id for o in verdict.fixed_issues] == ["sqli-orders"]
    assert verdict.tests_passed  # the behaviour is fine ...
    assert not verdict.resolved  # ... but eval() is a new high-severity finding
    (new,) = verdict.new_findings
    assert new.category == "code-injection"
    assert new.blocking
    assert (
        new.line
        == patched.splitlines().index(
            '    return eval("+".join(map(str, orders_of(conn, customer))) or "0")'
        )
        + 1
    )
    assert any("introduces code-injection" in r for r in verdict.reasons)


def test_moved_code_is_not_a_new_finding() -> None:
    sqli = task("sqli-order-lookup")
    lines = sqli.source.splitlines(True)
    start = next(i for i, line in enumerate(lines) if line.startswith("def orders_of"))
    block = lines[start : start + 5]  # def, comment-free body, return, blank lines
    moved = "".join(lines[:start] + lines[start + 5 :] + ["\n\n"] + block)
    verdict = verify_patch(sqli, diff(sqli.source, moved), run_tests=False)
    assert verdict.applied
    assert verdict.new_findings == ()
    assert [o.id for o in verdict.remaining_issues] == ["sqli-orders"]
    assert "still reported" in verdict.remaining_issues[0].detail


def test_issue_no_detector_finds_is_judged_by_tests() -> None:
    pages = task("pagination-window")
    good = verify_patch(pages, (TASKS / "pagination-window" / "fix.diff").read_text())
    assert good.resolved
    assert good.fixed_issues[0].judged_by == "tests"
    wrong = diff(
        pages.source,
        edit(pages.source, "start = number * per_page", "start = number * per_page - 1"),
    )
    bad = verify_patch(pages, wrong)
    assert not bad.resolved
    assert bad.remaining_issues[0].judged_by == "tests"
    assert "test_first_page_starts_at_first_item" in bad.still_failing


def test_without_tests_an_undetectable_issue_stays_unverified() -> None:
    pages = task("pagination-window")
    verdict = verify_patch(
        pages, (TASKS / "pagination-window" / "fix.diff").read_text(), run_tests=False
    )
    assert not verdict.tests_run
    assert verdict.remaining_issues[0].status == "unverified"
    assert not verdict.resolved


def test_breaking_a_passing_test_is_pass_to_fail() -> None:
    hashes = task("weak-hash-tokens")
    patched = edit(
        hashes.source,
        "hashlib.md5(token.encode()).hexdigest()",
        "hashlib.sha256(token.encode()).hexdigest()",
    )
    patched = edit(patched, "if expected is None:\n            return False", "return True")
    verdict = verify_patch(hashes, diff(hashes.source, patched))
    assert verdict.fixed_issues and not verdict.resolved
    assert verdict.pass_to_fail == ("test_verifies_remembered_token",)


@pytest.mark.parametrize(
    ("patch", "kind"),
    [
        ("", "empty"),
        ("--- a/../../etc/passwd\n+++ b/../../etc/passwd\n@@ -1 +1 @@\n-x\n+y\n", "path"),
        ("--- a/snippet.py\n+++ b/snippet.py\n@@ -1,2 +1,2 @@\n-nope\n+yes\n", "does-not-apply"),
    ],
)
def test_rejected_patch_is_a_verdict_not_an_exception(patch: str, kind: str) -> None:
    verdict = verify_patch(task("sqli-order-lookup"), patch)
    assert not verdict.applied and not verdict.resolved
    assert verdict.error_kind == kind
    assert verdict.summary.startswith("The patch was rejected")


def test_patch_that_breaks_syntax() -> None:
    sqli = task("sqli-order-lookup")
    verdict = verify_patch(sqli, diff(sqli.source, edit(sqli.source, SQL_LINE, "    rows = (")))
    assert verdict.applied and not verdict.parses and not verdict.resolved
    assert verdict.syntax_error is not None


def test_hostile_patch_times_out_and_is_not_resolved() -> None:
    sqli = task("sqli-order-lookup")
    verdict = verify_patch(
        sqli, "while True:\n    pass\n", limits=SandboxLimits(cpu_seconds=1, wall_seconds=3.0)
    )
    assert verdict.sandbox == "timeout"
    assert not verdict.resolved
    assert any("timeout" in r for r in verdict.reasons)


def test_patch_cannot_read_the_hidden_fix_or_tests() -> None:
    sqli = task("sqli-order-lookup")
    secret_paths = [str(sqli.fix_path), str(sqli.tests_path), str(sqli.path / "task.toml")]
    thief = edit(
        sqli.source,
        "import sqlite3\n",
        "import sqlite3\nimport os\n"
        f"for _p in {secret_paths!r}:\n"
        "    try:\n"
        "        os.write(1, open(_p).read().encode())\n"
        "    except OSError as _e:\n"
        "        os.write(2, repr(_e).encode())\n",
    )
    thief = edit(thief, SQL_LINE, SQL_FIXED)
    verdict = verify_patch(sqli, diff(sqli.source, thief), limits=FAST)
    assert verdict.sandbox == "hidden file blocked"
    assert not verdict.resolved
    dumped = verdict.model_dump_json()
    assert "injection_payload" not in dumped.replace("test_injection_payload", "")
    assert "+++ b/snippet.py" not in dumped


def test_redacted_verdict_hides_ground_truth_and_test_names() -> None:
    sqli = task("sqli-order-lookup")
    verdict = verify_patch(sqli, sqli.source).redacted()
    dumped = verdict.model_dump_json()
    for secret in ("sqli-orders", "sql-injection", "test_injection_payload", "test_total_of"):
        assert secret not in dumped
    assert verdict.redacted_view and not verdict.resolved
    assert len(verdict.remaining_issues) == 1
    assert verdict.remaining_issues[0].severity == "critical"


@pytest.mark.parametrize("name", sorted(p.name for p in TASKS.iterdir() if p.is_dir()))
def test_fixture_reference_fixes_pass_the_lint(name: str) -> None:
    assert check_reference_fix(task(name)) == []


def test_lint_reports_a_fix_that_does_not_fix(tmp_path: Path) -> None:
    copy = tmp_path / "sqli-order-lookup"
    shutil.copytree(TASKS / "sqli-order-lookup", copy)
    source = load_task(copy).source
    (copy / "fix.diff").write_text(diff(source, edit(source, "-> float:", "-> float:  # typed")))
    problems = check_reference_fix(load_task(copy))
    assert any("sqli-orders" in p and "remains" in p for p in problems)
    assert any("failing tests" in p for p in problems)


def test_lint_reports_tests_that_never_fail(tmp_path: Path) -> None:
    copy = tmp_path / "pagination-window"
    shutil.copytree(TASKS / "pagination-window", copy)
    (copy / "test_task.py").write_text(
        "from snippet import page_count\n\ndef test_count():\n    assert page_count(3, 2) == 2\n"
    )
    problems = check_reference_fix(load_task(copy))
    assert any("no test fails on the original" in p for p in problems)


def test_cli_exit_codes_and_json(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder = TASKS / "sqli-order-lookup"
    assert main(["verify-patch", str(folder), str(folder / "fix.diff"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["resolved"] is True
    noop = tmp_path / "noop.py"
    noop.write_text(load_task(folder).source)
    assert main(["verify-patch", str(folder), str(noop), "--json", "--no-tests"]) == 1
    assert json.loads(capsys.readouterr().out)["resolved"] is False
    evil = tmp_path / "evil.diff"
    evil.write_text("--- /etc/passwd\n+++ /etc/passwd\n@@ -1 +1 @@\n-root\n+owned\n")
    assert main(["verify-patch", str(folder), str(evil)]) == 2
    assert "absolute" in capsys.readouterr().err
    assert main(["verify-patch", str(folder), str(tmp_path / "missing.diff")]) == 2
    assert main(["verify-patch", str(tmp_path), str(evil)]) == 2
    binary = tmp_path / "binary.diff"
    binary.write_bytes(b"\xff\xfe\x00garbage")
    assert main(["verify-patch", str(folder), str(binary)]) == 2
    assert "not UTF-8" in capsys.readouterr().err


@settings(max_examples=40, deadline=None)
@given(
    st.one_of(
        st.text(max_size=400),
        st.text(alphabet="+- @\n,0123456789abc/", max_size=300).map(
            lambda body: "--- a/snippet.py\n+++ b/snippet.py\n@@ -1,3 +1,3 @@\n" + body
        ),
    )
)
def test_any_patch_text_gives_a_verdict_never_an_exception(patch: str) -> None:
    verdict = verify_patch(task("sqli-order-lookup"), patch, run_tests=False)
    assert verdict.summary
    assert verdict.resolved is False  # nothing random fixes the injection


def test_deleting_the_vulnerable_code_is_not_a_fix() -> None:
    """Every detector goes quiet when the function is gone; the verdict must not."""
    sqli = task("sqli-order-lookup")
    lines = sqli.source.splitlines(True)
    start = next(i for i, line in enumerate(lines) if line.startswith("def orders_of"))
    gutted = "".join(lines[:start] + lines[start + 5 :])
    verdict = verify_patch(sqli, diff(sqli.source, gutted), run_tests=False)
    assert [o.id for o in verdict.fixed_issues] == ["sqli-orders"]  # statically quiet ...
    assert verdict.removed_definitions == ("orders_of",)
    assert not verdict.resolved  # ... but not a fix
    assert any("removes or renames" in r for r in verdict.reasons)


@pytest.mark.parametrize(
    "attack",
    [
        'import sys\nsys.modules["__main__"]._run_one = lambda item, workdir: ("passed", "")\n',
        "import sys as s\nhook = getattr(s, '_getframe')\n",
        "from os import _exit as leave\n",
        "import ctypes\n",
    ],
    ids=["rewrite-runner", "getattr-frame", "aliased-exit", "ctypes"],
)
def test_patch_reaching_into_the_test_harness_is_refused(attack: str) -> None:
    """Tests share a process with the code under test, so code that reaches for the runner
    could forge its results (the first attack really turns every failing test green)."""
    pages = task("pagination-window")
    verdict = verify_patch(pages, pages.source + "\n" + attack)
    assert verdict.harness_reach
    assert not verdict.resolved
    assert any("reaches into the process" in r for r in verdict.reasons)


def test_cli_source_target_and_redacted(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    folder = TASKS / "inventory-service"
    source = load_task(folder).source
    half = tmp_path / "half.py"  # fixes the md5 digest only
    half.write_text(edit(source, "hashlib.md5(", "hashlib.sha256("))
    args = ["verify-patch", str(folder), str(half), "--source", "--no-tests", "--json"]
    assert main([*args, "--target", "key-md5"]) == 0
    assert json.loads(capsys.readouterr().out)["targeted"] == ["key-md5"]
    assert main(args) == 1
    capsys.readouterr()
    assert main([*args, "--target", "no-such-issue"]) == 2
    assert "no-such-issue" in capsys.readouterr().err
    assert main([*args, "--redacted"]) == 1
    shown = capsys.readouterr().out
    assert "search-sqli" not in shown and "sql-injection" not in shown
    assert json.loads(shown)["redacted_view"] is True


def test_a_patch_in_newer_syntax_is_judged_by_the_interpreter_that_runs_the_tests() -> None:
    """A PEP 701 f-string parses from 3.12 on; before that it is rejected, and says why."""
    from graderlib.verify.facts import source_facts

    facts = source_facts('name = "x"\nprint(f"{"quoted"} {name}")\n')
    if sys.version_info >= (3, 12):
        assert facts.syntax_error is None
    else:
        assert facts.syntax_error is not None
        assert "valid in a newer Python" in facts.syntax_error
    broken = source_facts("x = (\n")
    assert broken.syntax_error is not None and "newer Python" not in broken.syntax_error
