"""Example tests for every annotation form and every load error."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from graderlib import Severity, TaskLoadError, load_task, load_tasks
from graderlib.settings import get_settings
from graderlib.task import public_task_id, split_of
from tests.grading_support import FIXTURES, make_task


def line_of(source: str, text: str) -> int:
    return next(i for i, line in enumerate(source.splitlines(), 1) if text in line)


def test_expect_marks_the_next_statement_and_is_removed(tmp_path: Path) -> None:
    task = load_task(
        make_task(
            tmp_path,
            """
        import os

        def run(cmd):
            # expect: command-injection severity=high id=shell
            os.system("ls " + cmd)
        """,
        )
    )
    assert "expect" not in task.source
    (issue,) = task.issues
    assert issue.id == "shell"
    assert issue.severity is Severity.HIGH
    assert issue.span.start == issue.span.end == line_of(task.source, "os.system")


def test_compound_statement_span_is_its_header(tmp_path: Path) -> None:
    task = load_task(
        make_task(
            tmp_path,
            """
        import json


        # expect: mutable-default-argument
        def load(
            path,
            seen=[],
        ):
            seen.append(path)
            return json.load(open(path))
        """,
        )
    )
    (issue,) = task.issues
    assert issue.span.start == line_of(task.source, "def load(")
    assert issue.span.end == line_of(task.source, "):")


def test_decorated_definition_span_starts_at_the_decorator(tmp_path: Path) -> None:
    task = load_task(
        make_task(
            tmp_path,
            """
        import functools

        # expect: cache-bug
        @functools.lru_cache(maxsize=None)
        def lookup(user):
            return user
        """,
        )
    )
    (issue,) = task.issues
    assert issue.span.start == line_of(task.source, "@functools")
    assert issue.span.end == line_of(task.source, "def lookup")


def test_except_clause_can_be_marked(tmp_path: Path) -> None:
    task = load_task(
        make_task(
            tmp_path,
            """
        def read(path):
            try:
                return open(path).read()
            # expect: swallowed-exception
            except Exception:
                pass
        """,
        )
    )
    assert task.issues[0].span.start == line_of(task.source, "except Exception")


def test_stacked_annotations_are_separate_issues_with_default_ids(tmp_path: Path) -> None:
    task = load_task(
        make_task(
            tmp_path,
            """
        import subprocess

        def run(cmd, token):
            # expect: command-injection
            # expect: sensitive-data-in-logs
            # expect: command-injection
            subprocess.run("echo " + cmd + token, shell=True)
        """,
        )
    )
    assert [i.id for i in task.issues] == [
        "command-injection",
        "sensitive-data-in-logs",
        "command-injection-2",
    ]
    assert len({i.span for i in task.issues}) == 1


def test_comma_separated_categories_are_one_issue_accepting_either(tmp_path: Path) -> None:
    task = load_task(
        make_task(
            tmp_path,
            """
        import pickle

        def load(blob):
            # expect: unsafe-deserialization, CWE-94
            return pickle.loads(blob)
        """,
        )
    )
    (issue,) = task.issues
    assert issue.categories == ("unsafe-deserialization", "code-injection")


def test_aliases_and_cwe_ids_resolve_to_categories(tmp_path: Path) -> None:
    task = load_task(
        make_task(
            tmp_path,
            """
        import hashlib

        def digest(password):
            # expect: B324
            a = hashlib.md5(password)
            # expect: CWE-1333
            return a
        """,
        )
    )
    assert [i.category for i in task.issues] == ["weak-hash", "CWE-1333"]


def test_trailing_annotation_marks_its_own_statement(tmp_path: Path) -> None:
    task = load_task(
        make_task(
            tmp_path,
            """
        def add(item, items=[]):  # expect: mutable-default-argument
            items.append(item)
            return items
        """,
        )
    )
    assert task.source.splitlines()[0] == "def add(item, items=[]):"
    assert task.issues[0].span.start == 1


def test_ok_and_semgrep_syntax(tmp_path: Path) -> None:
    task = load_task(
        make_task(
            tmp_path,
            """
        import sqlite3

        def query(conn, name):
            # ruleid: formatted-sql
            conn.execute("SELECT * FROM t WHERE n = '%s'" % name)
            # ok: formatted-sql
            conn.execute("SELECT * FROM t WHERE n = ?", (name,))
            # todoruleid: formatted-sql
            conn.execute("SELECT 1")
            # todook: formatted-sql
            return conn
        """,
            """
        [rules]
        formatted-sql = "sql-injection"
        """,
        )
    )
    assert [i.category for i in task.issues] == ["sql-injection"]
    assert task.clean[0].span.start == line_of(task.source, "n = ?")
    assert "todo" not in task.source and "ruleid" not in task.source


def test_semgrep_rule_resolves_through_taxonomy_aliases(tmp_path: Path) -> None:
    task = load_task(
        make_task(
            tmp_path,
            """
        import subprocess
        # ruleid: python.lang.security.audit.subprocess-shell-true.subprocess-shell-true
        subprocess.call("ls", shell=True)
        """,
        )
    )
    assert task.issues[0].category == "command-injection"


def test_issue_tables_scope_file_and_at_locator(tmp_path: Path) -> None:
    task = load_task(
        make_task(
            tmp_path,
            """
        class Repo:
            def find_user(self, name):
                return name

            def other(self):
                return 1
        """,
            """
        [[issue]]
        category = "CWE-89"
        at = "Repo.find_user"
        hint = "h"
        explanation = "e"
        fix_keywords = ["bind"]

        [[issue]]
        category = "hardcoded-secret"
        scope = "file"

        [[clean]]
        category = "sql-injection"
        at = "Repo.other"
        """,
        )
    )
    located, whole_file = task.issues
    assert (located.span.start, located.span.end) == (2, 3)
    assert located.scope == "definition" and located.fix_keywords == ("bind",)
    assert whole_file.scope == "file" and whole_file.span.end == task.line_count
    assert task.clean[0].span.start == 5


def test_issue_table_attaches_metadata_to_an_inline_annotation(fixture_task=None) -> None:
    task = load_task(FIXTURES / "user_repo")
    issue = next(i for i in task.issues if i.id == "sqli-find")
    assert issue.hint == "Look at how the lookup query is built."
    assert issue.fix_keywords == ("parameter", "placeholder", "?")


def test_reformatting_keeps_ground_truth_on_the_same_statements(tmp_path: Path) -> None:
    original = load_task(FIXTURES / "user_repo")
    text = (FIXTURES / "user_repo" / "snippet.py").read_text()
    shifted = "\n\n\n# a leading comment\n" + text.replace("\n\n", "\n\n\n")
    task_dir = tmp_path / "moved"
    task_dir.mkdir()
    (task_dir / "snippet.py").write_text(shifted)
    (task_dir / "task.toml").write_text((FIXTURES / "user_repo" / "task.toml").read_text())
    moved = load_task(task_dir)

    def statements(task):  # the text of each issue's first line, by id
        lines = task.source.splitlines()
        return {i.id: lines[i.span.start - 1].strip() for i in task.issues}

    assert statements(moved) == statements(original)
    assert [i.span.start for i in moved.issues] != [i.span.start for i in original.issues]


@pytest.mark.parametrize(
    ("snippet", "toml", "message", "line"),
    [
        ("x = 1\n# expect: sql-injection\n", "", "followed by no statement", 2),
        ("# expect: sqlinjecton\nx = 1\n", "", "unknown category 'sqlinjecton'", 1),
        ("# expect: sqli id=a\nx = 1\n# expect: xss id=a\ny = 2\n", "", "used twice", 3),
        ("def f(:\n    pass\n", "", "does not parse", None),
        ("# expect: sqli sev=high\nx = 1\n", "", "unknown annotation option", 1),
        ("# expect: sqli severity=urgent\nx = 1\n", "", "unknown severity", 1),
        ("# ruleid: my-rule\nx = 1\n", "", "unknown rule 'my-rule'", 1),
        ("x = f(\n    1,\n    # expect: sqli\n)\n", "", "nothing starts on the next", 3),
        ("x = 1\n", 'difficulty = "impossible"\n', "difficulty", None),
        ("x = 1\n", "title = [\n", "invalid TOML", None),
        ("x = 1\n", "tags = " + "[" * 100_000 + "]" * 100_000, "nested deeper than 64", None),
        ("x = 1\n", "tags = " + "[" * 65 + "]" * 65, "nested deeper than 64", None),
        ("x = 1\n", 'colour = "red"\n', "colour", None),
        ("def f():\n    pass\n", '[[issue]]\ncategory = "sqli"\nat = "g"\n', "matches no", None),
        (
            "def f():\n    pass\ndef f():\n    pass\n",
            '[[issue]]\ncategory = "sqli"\nat = "f"\n',
            "matches 2",
            None,
        ),
        ("x = 1\n", '[[issue]]\ncategory = "sqli"\n', "needs scope", None),
        ("# expect: sqli\n# ok: sqli\nx = 1\n", "", "both expect and ok", 1),
    ],
)
def test_load_errors_name_task_file_and_line(
    tmp_path: Path, snippet: str, toml: str, message: str, line: int | None
) -> None:
    task_dir = tmp_path / "broken"
    task_dir.mkdir()
    (task_dir / "snippet.py").write_text(snippet)
    (task_dir / "task.toml").write_text(toml)
    with pytest.raises(TaskLoadError) as caught:
        load_task(task_dir)
    error = caught.value
    assert message in str(error)
    assert "'broken'" in str(error)
    if line is not None:
        assert error.line == line
        assert f"snippet.py:{line}:" in str(error)


def test_missing_files_are_load_errors(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    with pytest.raises(TaskLoadError, match=r"missing task\.toml"):
        load_task(tmp_path / "empty")
    with pytest.raises(TaskLoadError, match="no such task directory"):
        load_task(tmp_path / "absent")


def test_annotation_text_inside_a_string_is_not_an_annotation(tmp_path: Path) -> None:
    task = load_task(
        make_task(
            tmp_path,
            '''
        DOC = """
        # expect: sql-injection
        """
        x = 1
        ''',
        )
    )
    assert task.issues == ()
    assert "# expect: sql-injection" in task.source


def test_splits_are_stable_and_cover_all_tasks() -> None:
    tasks = load_tasks(FIXTURES)
    assert {t.id for t in tasks} == {"user-repo", "clean_cache"}
    assert split_of("user-repo") == split_of("user-repo")
    counts = {s: 0 for s in ("train", "validation", "test")}
    for n in range(2000):
        counts[split_of(f"task-{n}")] += 1
    assert 1450 < counts["train"] < 1750 and counts["validation"] > 120 and counts["test"] > 120
    assert sum(len(load_tasks(FIXTURES, split=s)) for s in counts) == len(tasks)


def test_public_ids_are_keyed_when_a_deployment_sets_a_key() -> None:
    plain = public_task_id("sqli-user-lookup", key="")
    assert plain == "task-" + hashlib.sha256(b"sqli-user-lookup").hexdigest()[:12]
    keyed = public_task_id("sqli-user-lookup", key="deployment secret")
    assert keyed != plain and keyed.startswith("task-") and len(keyed) == len(plain)
    assert public_task_id("sqli-user-lookup", key="deployment secret") == keyed  # stable
    assert public_task_id("clean-ttl-cache", key="deployment secret") != keyed
    assert public_task_id("sqli-user-lookup", key="another secret") not in (keyed, plain)


def test_the_process_key_is_read_once_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADERLIB_TASK_ID_KEY", "deployment secret")
    get_settings.cache_clear()
    try:
        keyed = public_task_id("sqli-user-lookup")
        assert keyed == public_task_id("sqli-user-lookup", key="deployment secret")
        monkeypatch.setenv("GRADERLIB_TASK_ID_KEY", "changed mid-run")
        assert public_task_id("sqli-user-lookup") == keyed  # read once: ids never drift
        assert "deployment secret" not in repr(get_settings())  # a secret, never logged
    finally:
        monkeypatch.delenv("GRADERLIB_TASK_ID_KEY")
        get_settings.cache_clear()
