"""Running untrusted code (a patched snippet and the task's tests) in a limited process.

The agent's patch is arbitrary Python, so it runs in a child process that is boxed in on every
side we can reach from the standard library:

* **Linux namespaces** (when the kernel lets us: root, or unprivileged user namespaces off):
  a new network namespace (no interface is up, every connect fails with "Network is
  unreachable"), a new PID namespace (when the runner exits or is killed, the kernel kills
  every process it left behind, however it detached), and a new mount namespace in which the
  host filesystem is read-only, ``/tmp``, ``/var/tmp`` and ``/dev/shm`` are fresh size-limited
  tmpfs mounts, ``/proc`` shows only the sandbox, and the task's directory (tests, reference
  fix, ``task.toml``), its corpus and the repository's ``.git`` are covered by empty,
  unreadable mounts.
* **A throw-away user id** (when started as root): no other process has it, so
  ``RLIMIT_NPROC`` bounds exactly this run and no file of the host is writable by it.
* **Resource limits**: CPU seconds, address space, processes, file size, open files, no cores.
* **A wall-clock timeout** that kills the whole process group (and, through the PID
  namespace, everything else the code started).
* **A scrubbed environment** and a fresh temporary directory as the working directory.
* **An audit hook** (:pep:`578`) that refuses sockets and the hidden paths. Where namespaces are
  not available it is the only network and file guard (``isolation="guard"``); code using
  ``ctypes`` can get past it, which is why namespaces are preferred.

The tests never touch the disk of the sandbox: the runner receives their source on stdin, before
any untrusted code runs, and executes it as the in-memory module ``test_task``. So the snippet can
import nothing it should not see, and ``open("test_task.py")`` finds no test source. Test files
that need real pytest (fixtures of their own, ``caplog``; see :func:`needs_pytest`) run under
pytest on that same in-memory module, with an empty placeholder file for pytest to collect.

This module is the supervisor (start, feed, watch, kill, interpret); what runs inside the box is
:mod:`graderlib.verify.runner`, a standard-library-only script started with
``python -I -S``, which keeps start-up near the cost of a bare interpreter.
"""

from __future__ import annotations

import ast
import contextlib
import json
import os
import secrets
import selectors
import shutil
import signal
import site
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any

from graderlib.pyparse import parse_python
from graderlib.verify import runner as runner_script
from graderlib.verify.runner import LEAN_FIXTURES, RESULT_MARKER, Blocked, Record


class Verdict(StrEnum):
    """How a sandboxed run ended, most severe cause first when several apply."""

    OK = "ok"
    TIMEOUT = "timeout"
    MEMORY_LIMIT = "memory limit"
    OUTPUT_LIMIT = "output limit"
    PROCESS_LIMIT = "process limit"
    NETWORK_BLOCKED = "network blocked"
    HIDDEN_FILE_BLOCKED = "hidden file blocked"
    WRITE_BLOCKED = "write blocked"
    CRASHED = "crashed"


@dataclass(frozen=True, slots=True)
class SandboxLimits:
    """Resource limits for one run. Defaults suit a small snippet and its unit tests."""

    cpu_seconds: int = 5
    wall_seconds: float = 10.0
    memory_bytes: int = 1024 * 2**20
    max_processes: int = 32
    max_file_bytes: int = 16 * 2**20
    max_open_files: int = 128
    max_output_bytes: int = 2**20
    tmpfs_bytes: int = 64 * 2**20


@dataclass(frozen=True, slots=True)
class TestOutcome:
    """One test's result. ``outcome`` is passed, failed, error or skipped."""

    name: str
    outcome: str
    message: str = ""

    @property
    def passed(self) -> bool:
        return self.outcome in ("passed", "skipped")


@dataclass(frozen=True, slots=True)
class SandboxResult:
    """What came back from the sandbox. ``tests`` is empty when only the snippet was run."""

    verdict: Verdict
    isolation: str
    returncode: int | None
    duration: float
    tests: tuple[TestOutcome, ...] = ()
    load_error: str | None = None
    events: tuple[str, ...] = ()
    runner: str = "lean"
    stdout: str = ""
    stderr: str = ""
    detail: str = ""

    @property
    def completed(self) -> bool:
        return self.verdict is not Verdict.TIMEOUT and self.returncode is not None

    def outcome_of(self, name: str) -> TestOutcome | None:
        return next((t for t in self.tests if t.name == name), None)


# -- parent side -----------------------------------------------------------------------------


def needs_pytest(test_source: str) -> bool:
    """Whether a test file needs real pytest, or the lean in-memory runner can run it.

    The lean runner handles test functions and ``Test*`` classes, ``pytest.raises``,
    ``@pytest.mark.parametrize`` / ``skip`` / ``skipif`` and the ``tmp_path`` and
    ``monkeypatch`` fixtures. Anything else (own fixtures, xfail, other fixtures, ``conftest``)
    goes to pytest, which costs ~0.2 s of start-up. The test source is the task author's, so
    parsing it here is safe.
    """
    try:
        tree = parse_python(test_source)
    except SyntaxError:
        return False  # the runner reports the syntax error itself
    parametrized: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in ("fixture", "xfail", "usefixtures"):
            return True
        if isinstance(node, ast.Name) and node.id in ("fixture", "xfail", "usefixtures"):
            return True
        if isinstance(node, ast.Call) and _call_name(node.func) == "parametrize" and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                parametrized.update(n.strip() for n in first.value.split(","))
            elif isinstance(first, ast.List | ast.Tuple):
                parametrized.update(
                    e.value
                    for e in first.elts
                    if isinstance(e, ast.Constant) and isinstance(e.value, str)
                )
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith(
            "test"
        ):
            if isinstance(node, ast.AsyncFunctionDef):
                return True
            names = [a.arg for a in node.args.args if a.arg != "self"]
            if any(n not in LEAN_FIXTURES and n not in parametrized for n in names):
                return True
    return False


def _call_name(func: ast.expr) -> str:
    if isinstance(func, ast.Attribute):
        return func.attr
    if isinstance(func, ast.Name):
        return func.id
    return ""


def run_in_sandbox(
    snippet_source: str,
    test_source: str | None = None,
    *,
    hidden_paths: Sequence[str | os.PathLike[str]] = (),
    limits: SandboxLimits | None = None,
    isolation: str = "auto",
) -> SandboxResult:
    """Run the snippet (imported as module ``snippet``) and, if given, its tests.

    ``isolation`` is ``"auto"`` (namespaces when allowed, else the guard), ``"namespace"``
    (fail instead of falling back) or ``"guard"`` (audit hook only; for systems without
    namespaces, and to test that path). Never raises for anything the code under test does.
    """
    if isolation not in ("auto", "namespace", "guard"):
        raise ValueError(f"isolation must be auto, namespace or guard, not {isolation!r}")
    limits = limits or SandboxLimits()
    use_pytest = test_source is not None and needs_pytest(test_source)
    nonce = secrets.token_hex(16)
    workdir = tempfile.mkdtemp(prefix="graderlib-sandbox-")
    uid = 200_000 + secrets.randbelow(100_000) if os.geteuid() == 0 else None
    payload = {
        "nonce": nonce,
        "snippet": snippet_source,
        "tests": test_source,
        "runner": "pytest" if use_pytest else "lean",
        "hidden": [str(Path(p).resolve()) for p in _expand_hidden(hidden_paths)],
        "limits": {
            "cpu": limits.cpu_seconds,
            "memory": limits.memory_bytes,
            "nproc": limits.max_processes,
            "fsize": limits.max_file_bytes,
            "nofile": limits.max_open_files,
            "tmpfs": limits.tmpfs_bytes,
        },
        "isolation": isolation,
        "workdir": workdir,
        "uid": uid,
        "sys_path": _child_sys_path(),
        "keep": sorted({os.path.realpath(p) for p in (sys.base_prefix, sys.prefix)}),
    }
    started = time.perf_counter()
    try:
        return _supervise(payload, limits, started)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
        if uid is not None:
            _kill_uid(uid)


def _expand_hidden(paths: Sequence[str | os.PathLike[str]]) -> list[Path]:
    """The given paths plus the ``.git`` of the repository around them (it holds them too)."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw).resolve()
        out.append(path)
        for parent in path.parents:
            if (parent / ".git").exists():
                out.append(parent / ".git")
                break
    return list(dict.fromkeys(out))


def _child_sys_path() -> list[str]:
    """Stdlib and site-packages of this interpreter, without the repo or the cwd."""
    paths = sysconfig.get_paths()
    candidates = [paths["stdlib"], paths["platstdlib"], paths["purelib"], paths["platlib"]]
    candidates += [p for p in sys.path if p.endswith(("lib-dynload", ".zip"))]
    with contextlib.suppress(AttributeError):
        candidates += site.getsitepackages()
    return [p for p in dict.fromkeys(candidates) if os.path.isdir(p)]


def _supervise(payload: dict[str, Any], limits: SandboxLimits, started: float) -> SandboxResult:
    env = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONDONTWRITEBYTECODE": "1"}
    proc = subprocess.Popen(
        [sys.executable, "-I", "-S", "-B", os.path.abspath(runner_script.__file__)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=payload["workdir"],
        env=env,
        start_new_session=True,
        close_fds=True,
    )
    assert proc.stdin is not None and proc.stdout is not None and proc.stderr is not None
    with contextlib.suppress(BrokenPipeError):
        proc.stdin.write(json.dumps(payload).encode())
    with contextlib.suppress(BrokenPipeError):
        proc.stdin.close()
    out = bytearray()
    err = bytearray()
    cause: Verdict | None = None
    deadline = started + limits.wall_seconds
    with selectors.DefaultSelector() as selector:
        selector.register(proc.stdout, selectors.EVENT_READ, out)
        selector.register(proc.stderr, selectors.EVENT_READ, err)
        while selector.get_map():
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                cause = Verdict.TIMEOUT
                break
            for key, _ in selector.select(timeout=remaining):
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    selector.unregister(key.fileobj)
                    continue
                key.data.extend(chunk)
            if len(out) + len(err) > limits.max_output_bytes:
                cause = Verdict.OUTPUT_LIMIT
                break
    if cause is not None:
        _kill_group(proc.pid)
    try:
        returncode: int | None = proc.wait(timeout=max(0.5, deadline - time.perf_counter()))
    except subprocess.TimeoutExpired:
        cause = cause or Verdict.TIMEOUT
        _kill_group(proc.pid)
        returncode = proc.wait()
    _kill_group(proc.pid)  # anything that stayed in the group (guard mode)
    proc.stdout.close()
    proc.stderr.close()
    return _interpret(
        payload,
        limits.wall_seconds,
        out.decode(errors="replace"),
        err.decode(errors="replace"),
        returncode,
        cause,
        time.perf_counter() - started,
    )


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def _kill_uid(uid: int) -> None:
    """Kill every process of the run's private uid (only this run ever had it)."""
    for _ in range(3):
        found = False
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            try:
                if entry.stat().st_uid == uid:
                    found = True
                    os.kill(int(entry.name), signal.SIGKILL)
            except (FileNotFoundError, ProcessLookupError, PermissionError):
                continue
        if not found:
            return
        time.sleep(0.01)


def _interpret(
    payload: dict[str, Any],
    wall: float,
    stdout: str,
    stderr: str,
    returncode: int | None,
    cause: Verdict | None,
    duration: float,
) -> SandboxResult:
    marker = f"{RESULT_MARKER} {payload['nonce']} "
    tests: dict[str, TestOutcome] = {}
    events: list[str] = []
    blocked: set[Blocked] = set()
    final: dict[str, Any] = {}
    started: dict[str, Any] = {}
    plain: list[str] = []
    for line in stdout.split("\n"):
        if not line.startswith(marker):
            plain.append(line)
            continue
        try:
            record = json.loads(line[len(marker) :])
            kind = Record(record["kind"])
        except (ValueError, KeyError, TypeError):
            continue
        if kind is Record.TEST:
            tests[record["name"]] = TestOutcome(
                record["name"], record["outcome"], record.get("message", "")
            )
        elif kind is Record.BLOCKED:
            events.append(str(record["detail"]))
            with contextlib.suppress(ValueError):
                blocked.add(Blocked(record["event"]))
        elif kind is Record.DONE:
            final = record
        elif kind is Record.STARTED:
            started = record
    isolation = str(final.get("isolation", started.get("isolation", "unknown")))
    if signal_number := _signal_of(returncode):
        detail = f"killed by {signal.Signals(signal_number).name}"
    elif returncode:
        detail = f"exit status {returncode}"
    else:
        detail = ""
    verdict = cause or _verdict_from(final, blocked, returncode, stderr, tests)
    if verdict is Verdict.TIMEOUT:
        limits = payload["limits"]
        detail = (
            f"wall-clock limit of {wall:g} s"
            if cause is Verdict.TIMEOUT
            else f"CPU time limit of {limits['cpu']} s"
        )
    load_error = final.get("load_error")
    if not final and verdict is not Verdict.OK and load_error is None:
        load_error = f"the sandboxed run ended early ({verdict.value}; {detail or 'no result'})"
    return SandboxResult(
        verdict=verdict,
        isolation=isolation,
        returncode=returncode,
        duration=duration,
        tests=tuple(tests.values()),
        load_error=load_error,
        events=tuple(dict.fromkeys(events)),
        runner=str(payload["runner"]),
        stdout="\n".join(line for line in plain if line)[-4000:],
        stderr=stderr[-4000:],
        detail=detail,
    )


def _signal_of(returncode: int | None) -> int | None:
    if returncode is None:
        return None
    if returncode < 0:
        return -returncode
    if returncode > 128 and returncode - 128 < signal.NSIG:
        return returncode - 128
    return None


# When the guard refused several things, the verdict names the first of these.
_BLOCKED_VERDICTS = (
    (Blocked.PROCESS_LIMIT, Verdict.PROCESS_LIMIT),
    (Blocked.NETWORK, Verdict.NETWORK_BLOCKED),
    (Blocked.HIDDEN_FILE, Verdict.HIDDEN_FILE_BLOCKED),
    (Blocked.WRITE_OUTSIDE, Verdict.WRITE_BLOCKED),
)


def _verdict_from(
    final: dict[str, Any],
    blocked: set[Blocked],
    returncode: int | None,
    stderr: str,
    tests: dict[str, TestOutcome],
) -> Verdict:
    sig = _signal_of(returncode)
    if sig in (signal.SIGXCPU, signal.SIGKILL) and not final:
        return Verdict.TIMEOUT
    messages = " ".join(t.message for t in tests.values()) + " " + str(final.get("load_error"))
    if "MemoryError" in messages or "MemoryError" in stderr[-2000:]:
        return Verdict.MEMORY_LIMIT
    for refused, verdict in _BLOCKED_VERDICTS:
        if refused in blocked:
            return verdict
    if not final or returncode:
        return Verdict.CRASHED
    return Verdict.OK
