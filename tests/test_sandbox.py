"""The sandbox on friendly and hostile code: every hostile case ends in a clear verdict,
nothing is left running and nothing outside the sandbox changes."""

from __future__ import annotations

import ast
import os
import secrets
import shutil
import sys
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from graderlib.verify import runner, sandbox
from graderlib.verify.sandbox import SandboxLimits, Verdict, needs_pytest, run_in_sandbox

FAST = SandboxLimits(cpu_seconds=1, wall_seconds=4.0, memory_bytes=512 * 2**20)
MEMORY = SandboxLimits(cpu_seconds=3, wall_seconds=6.0, memory_bytes=256 * 2**20)
SNIPPET = "def add(a, b):\n    return a + b\n"
TESTS = textwrap.dedent(
    """
    import pytest
    from snippet import add

    def test_adds():
        assert add(1, 2) == 3

    def test_wrong():
        assert add(1, 1) == 3, "one and one"

    @pytest.mark.parametrize("a,b", [(1, 2), (3, 4)])
    def test_ordered(a, b, tmp_path):
        (tmp_path / "x").write_text("ok")
        assert a < b

    @pytest.mark.skip(reason="not today")
    def test_skipped():
        raise AssertionError

    class TestGroup:
        def test_method(self):
            with pytest.raises(TypeError):
                add(1, "a")
    """
)


def _processes_mentioning(token: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if token.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


@pytest.fixture
def token(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A marker for the hostile code; afterwards nothing mentioning it may still run, and the
    sandbox's host-side temporary directory (made in a private temp root) must be gone."""
    private_tmp = tmp_path / "tmp-root"
    private_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(private_tmp))
    value = f"graderlib-test-{secrets.token_hex(6)}"
    yield value
    assert _processes_mentioning(value) == [], "a sandboxed process was left running"
    assert list(private_tmp.iterdir()) == [], "the sandbox left its temp dir behind"


def test_lean_runner_reports_every_test() -> None:
    result = run_in_sandbox(SNIPPET, TESTS, limits=FAST)
    outcomes = {t.name: t.outcome for t in result.tests}
    assert result.verdict is Verdict.OK
    assert result.runner == "lean"
    assert outcomes == {
        "test_adds": "passed",
        "test_wrong": "failed",
        "test_ordered[1-2]": "passed",
        "test_ordered[3-4]": "passed",
        "test_skipped": "skipped",
        "TestGroup::test_method": "passed",
    }
    assert result.outcome_of("test_wrong") is not None
    assert "one and one" in result.outcome_of("test_wrong").message  # type: ignore[union-attr]


def test_tests_needing_real_pytest_run_under_pytest() -> None:
    tests = textwrap.dedent(
        """
        import pytest
        from snippet import add

        @pytest.fixture
        def two():
            return 2

        def test_with_fixture(two):
            assert add(two, two) == 4

        def test_fails(two):
            assert add(two, 1) == 4
        """
    )
    assert needs_pytest(tests)
    result = run_in_sandbox(SNIPPET, tests, limits=FAST)
    assert result.runner == "pytest"
    assert {t.name: t.outcome for t in result.tests} == {
        "test_with_fixture": "passed",
        "test_fails": "failed",
    }


def test_needs_pytest_only_for_features_the_lean_runner_lacks() -> None:
    assert not needs_pytest(TESTS)
    assert needs_pytest("def test_x(capsys):\n    pass\n")
    assert needs_pytest("import pytest\n@pytest.mark.xfail\ndef test_x():\n    pass\n")


def test_snippet_that_fails_to_import_is_a_load_error() -> None:
    result = run_in_sandbox("raise RuntimeError('boom')\n", TESTS, limits=FAST)
    assert result.tests == ()
    assert result.load_error is not None
    assert "RuntimeError: boom" in result.load_error
    assert "snippet" in result.load_error


def test_sandbox_uses_network_namespace_here() -> None:
    result = run_in_sandbox(SNIPPET, limits=FAST)
    assert result.verdict is Verdict.OK
    assert result.isolation.startswith("namespace")


HOSTILE = {
    "infinite-loop": ("while True:\n    pass\n", Verdict.TIMEOUT),
    "sleep-forever": ("import time\ntime.sleep(10_000)\n", Verdict.TIMEOUT),
    "fork-bomb": ("import os\nwhile True:\n    os.fork()\n", Verdict.PROCESS_LIMIT),
    "memory-bomb": ("blob = bytearray(50 * 2**30)\n", Verdict.MEMORY_LIMIT),
    "growing-memory": (
        "chunks = []\nwhile True:\n    chunks.append(bytearray(2**24))\n",
        Verdict.MEMORY_LIMIT,
    ),
    "socket": (
        "import socket\nsocket.create_connection(('1.1.1.1', 80), timeout=2)\n",
        Verdict.NETWORK_BLOCKED,
    ),
    "dns": ("import socket\nsocket.getaddrinfo('example.com', 80)\n", Verdict.NETWORK_BLOCKED),
    "output-flood": (
        "import os\nwhile True:\n    os.write(1, b'x' * 65536)\n",
        Verdict.OUTPUT_LIMIT,
    ),
    "hard-exit": ("import os\nos._exit(7)\n", Verdict.CRASHED),
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_code_ends_in_a_clear_verdict(name: str, token: str) -> None:
    code, expected = HOSTILE[name]
    # memory cases get CPU headroom: zeroing pages is CPU time on a slow, shared machine
    limits = MEMORY if expected is Verdict.MEMORY_LIMIT else FAST
    if name == "sleep-forever":  # only the wall clock can end it: keep the suite quick
        limits = SandboxLimits(cpu_seconds=1, wall_seconds=1.5)
    result = run_in_sandbox(f"# {token}\n{code}", limits=limits)
    assert result.verdict is expected, (result.verdict, result.load_error, result.stderr)
    assert result.duration < FAST.wall_seconds + 2


def test_detached_daemon_is_killed(token: str) -> None:
    code = textwrap.dedent(
        f"""
        import os, subprocess
        subprocess.Popen(["/bin/sh", "-c", "sleep 600; : {token}"], start_new_session=True)
        if os.fork() == 0:
            os.setsid()
            os.execv("/bin/sh", ["/bin/sh", "-c", "sleep 600; : {token}"])
        """
    )
    result = run_in_sandbox(code, limits=FAST)
    assert result.verdict is Verdict.OK  # the fixture checks that nothing of it survives


@pytest.fixture
def outside_dir() -> Iterator[Path]:
    """A directory outside /tmp (the sandbox has its own /tmp, so /tmp proves nothing).

    Next to this file, unless the checkout itself lives under /tmp (CI clones often do); then
    under the home directory.
    """
    candidates = [Path(__file__).resolve().parent, Path.home() / ".cache"]
    base = next((c for c in candidates if not str(c).startswith("/tmp/")), None)
    if base is None:
        pytest.skip("no writable directory outside /tmp to aim writes at")
    path = base / f".sandbox-victim-{secrets.token_hex(4)}"
    path.mkdir(parents=True)
    yield path
    shutil.rmtree(path)


def test_writes_outside_the_sandbox_change_nothing(outside_dir: Path) -> None:
    target = outside_dir / "victim.txt"
    target.write_text("untouched")
    outside = Path("/tmp") / f"graderlib-escape-{secrets.token_hex(4)}"
    code = textwrap.dedent(
        f"""
        import ctypes
        for path in ({str(target)!r}, {str(outside)!r}):
            try:
                open(path, "w").write("owned")
            except OSError:
                pass
        libc = ctypes.CDLL(None)  # past the audit hook, straight to the kernel
        libc.open({str(target).encode()!r}, 0o1101, 0o644)
        open("inside.txt", "w").write("fine")
        """
    )
    result = run_in_sandbox(code, limits=FAST)
    assert result.verdict is Verdict.WRITE_BLOCKED
    assert target.read_text() == "untouched"
    assert sorted(p.name for p in outside_dir.iterdir()) == ["victim.txt"]
    assert not outside.exists()


def test_hidden_task_files_cannot_be_read(tmp_path: Path) -> None:
    task_dir = tmp_path / "task"
    task_dir.mkdir()
    (task_dir / "fix.diff").write_text("THE-SECRET-FIX")
    code = textwrap.dedent(
        f"""
        import ctypes, os
        seen = []
        for path in ({str(task_dir / "fix.diff")!r}, "test_task.py"):
            try:
                seen.append(open(path).read())
            except OSError as error:
                seen.append(type(error).__name__)
        fd = ctypes.CDLL(None).open({str(task_dir / "fix.diff").encode()!r}, 0)
        if fd >= 0:
            seen.append(os.read(fd, 100).decode())
        os.write(1, repr(seen).encode())
        """
    )
    tests = "import snippet\n\ndef test_nothing():\n    assert True\n"
    result = run_in_sandbox(code, tests, hidden_paths=[task_dir], limits=FAST)
    assert result.verdict is Verdict.HIDDEN_FILE_BLOCKED
    assert "THE-SECRET-FIX" not in result.stdout
    assert "FileNotFoundError" in result.stdout  # the tests are not on the sandbox's disk


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("import socket\nsocket.create_connection(('1.1.1.1', 80))\n", Verdict.NETWORK_BLOCKED),
        ("open('/tmp/graderlib-guard-escape', 'w')\n", Verdict.WRITE_BLOCKED),
        ("while True:\n    pass\n", Verdict.TIMEOUT),
    ],
    ids=["socket", "write", "loop"],
)
def test_guard_mode_without_namespaces(code: str, expected: Verdict, token: str) -> None:
    result = run_in_sandbox(f"# {token}\n{code}", limits=FAST, isolation="guard")
    assert result.isolation.startswith("guard")
    assert result.verdict is expected
    assert not os.path.exists("/tmp/graderlib-guard-escape")


def test_environment_is_scrubbed_and_cwd_is_fresh() -> None:
    os.environ["GRADERLIB_SECRET_FOR_TEST"] = "leak"
    try:
        code = (
            "import os\n"
            "os.write(1, repr((sorted(os.environ), os.getcwd(), os.listdir('.'))).encode())\n"
        )
        result = run_in_sandbox(code, limits=FAST)
    finally:
        del os.environ["GRADERLIB_SECRET_FOR_TEST"]
    assert "GRADERLIB_SECRET_FOR_TEST" not in result.stdout
    assert "['snippet.py']" in result.stdout


def test_loopback_server_works_inside_the_namespace() -> None:
    """Tests may run a local server: the namespace has its own, private loopback."""
    code = textwrap.dedent(
        """
        import socket, threading

        def echo_once():
            server = socket.create_server(("127.0.0.1", 0))
            port = server.getsockname()[1]

            def serve():
                conn, _ = server.accept()
                conn.sendall(conn.recv(16).upper())
                conn.close()

            threading.Thread(target=serve, daemon=True).start()
            with socket.create_connection(("localhost", port), timeout=2) as client:
                client.sendall(b"ping")
                return client.recv(16)
        """
    )
    tests = "from snippet import echo_once\n\ndef test_echo():\n    assert echo_once() == b'PING'\n"
    result = run_in_sandbox(code, tests, limits=FAST)
    assert result.verdict is Verdict.OK, (result.events, result.tests)
    assert [t.outcome for t in result.tests] == ["passed"]


def test_pytest_mode_keeps_the_test_source_off_the_disk() -> None:
    tests = textwrap.dedent(
        """
        import pytest
        from snippet import leaked

        SECRET = "TEST-SOURCE-MARKER"

        @pytest.fixture
        def text():
            return leaked()

        def test_source_not_readable(text):
            assert SECRET not in text
        """
    )
    code = "def leaked():\n    return open('test_task.py').read()\n"
    result = run_in_sandbox(code, tests, limits=FAST)
    assert result.runner == "pytest"
    assert [(t.name, t.outcome) for t in result.tests] == [("test_source_not_readable", "passed")]


def test_interpreter_paths_under_tmp_stay_importable(monkeypatch: pytest.MonkeyPatch) -> None:
    """CI often clones (and makes its venv) under /tmp, which the sandbox replaces with a
    private tmpfs; the interpreter's own directories there must be bound back."""
    site_dir = tempfile.mkdtemp(prefix="graderlib-site-", dir="/tmp")
    try:
        os.chmod(site_dir, 0o755)  # as a cloned checkout would be; mkdtemp makes it 700
        Path(site_dir, "probe_under_tmp.py").write_text("VALUE = 41\n")
        real = sandbox._child_sys_path()
        monkeypatch.setattr(sandbox, "_child_sys_path", lambda: [*real, site_dir])
        tests = "from snippet import value\n\ndef test_value():\n    assert value() == 42\n"
        snippet = "import probe_under_tmp\n\ndef value():\n    return probe_under_tmp.VALUE + 1\n"
        result = run_in_sandbox(snippet, tests, limits=FAST)
        assert result.load_error is None, result.load_error
        assert [t.outcome for t in result.tests] == ["passed"]
    finally:
        shutil.rmtree(site_dir)


# ------------------------------------------------------------------ the runner's wire format


def test_the_runner_imports_only_the_standard_library() -> None:
    """It starts as ``python -I -S graderlib/verify/runner.py``: no site-packages, no graderlib.
    pytest is imported inside a run only, for test files that need it."""
    tree = ast.parse(Path(runner.__file__).read_text())

    def roots(nodes: list[ast.stmt] | list[ast.AST]) -> set[str]:
        return {
            (alias.name if isinstance(node, ast.Import) else node.module or "").split(".")[0]
            for node in nodes
            if isinstance(node, ast.Import | ast.ImportFrom)
            for alias in node.names
        }

    assert roots(tree.body) <= sys.stdlib_module_names, roots(tree.body)
    assert roots(list(ast.walk(tree))) - sys.stdlib_module_names == {"pytest"}


def _stream(*records: tuple[runner.Record, dict[str, object]], nonce: str) -> str:
    """What the runner writes, through its own emitter."""
    read_end, write_end = os.pipe()
    emit = runner._emitter(write_end, nonce)
    for kind, fields in records:
        emit(kind, **fields)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as stream:
        return stream.read().decode()


@pytest.mark.parametrize(("refused", "verdict"), sandbox._BLOCKED_VERDICTS)
def test_every_blocked_kind_reaches_its_verdict(refused: runner.Blocked, verdict: Verdict) -> None:
    out = _stream(
        (runner.Record.STARTED, {"isolation": "guard"}),
        (runner.Record.TEST, {"name": "test_a", "outcome": "failed", "message": "refused"}),
        (runner.Record.BLOCKED, {"event": refused, "detail": f"{refused}: detail"}),
        (runner.Record.DONE, {"isolation": "guard", "load_error": None}),
        nonce="n0nce",
    )
    forged = "\n" + _stream((runner.Record.DONE, {"isolation": "forged"}), nonce="other")
    payload = {"nonce": "n0nce", "runner": "lean", "limits": {"cpu": 1}}
    result = sandbox._interpret(payload, 4.0, "printed\n" + out + forged, "", 0, None, 0.1)
    assert result.verdict is verdict
    assert result.tests == (sandbox.TestOutcome("test_a", "failed", "refused"),)
    assert result.events == (f"{refused}: detail",)
    assert result.isolation == "guard" and "printed" in result.stdout


def test_every_blocked_kind_has_a_verdict() -> None:
    assert [refused for refused, _ in sandbox._BLOCKED_VERDICTS] == list(runner.Blocked)
