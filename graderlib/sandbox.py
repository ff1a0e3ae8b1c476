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

This file has no third-party imports on purpose: it is also the runner script that executes
inside the sandbox (``python -I -S graderlib/sandbox.py``), which keeps start-up near the cost of
a bare interpreter.
"""

from __future__ import annotations

import ast
import contextlib
import ctypes
import errno
import functools
import io
import ipaddress
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
import traceback
import types
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

RESULT_MARKER = "\x1egraderlib-sandbox"
SNIPPET_MODULE = "snippet"
TEST_MODULE = "test_task"
LEAN_FIXTURES = frozenset({"tmp_path", "monkeypatch"})

_CLONE_NEWNS = 0x00020000
_CLONE_NEWPID = 0x20000000
_CLONE_NEWNET = 0x40000000
_MS_RDONLY = 1
_MS_NOSUID = 2
_MS_NODEV = 4
_MS_NOEXEC = 8
_MS_REMOUNT = 32
_MS_BIND = 4096
_MS_REC = 16384
_MS_PRIVATE = 1 << 18
_MNT_DETACH = 2
_PR_SET_PDEATHSIG = 1


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


@dataclass
class _Collected:
    name: str
    call: Callable[..., Any]
    fixtures: tuple[str, ...]
    skip_reason: str | None = None
    setup: Callable[[], Any] | None = None
    teardown: Callable[[], Any] | None = None
    kwargs: dict[str, Any] = field(default_factory=dict)


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
        tree = ast.parse(test_source)
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
        [sys.executable, "-I", "-S", "-B", os.path.abspath(__file__)],
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
    final: dict[str, Any] = {}
    started: dict[str, Any] = {}
    plain: list[str] = []
    for line in stdout.split("\n"):
        if not line.startswith(marker):
            plain.append(line)
            continue
        try:
            record = json.loads(line[len(marker) :])
        except ValueError:
            continue
        if "test" in record:
            tests[record["test"]] = TestOutcome(
                record["test"], record["outcome"], record.get("message", "")
            )
        elif "event" in record:
            events.append(str(record["event"]))
        elif "done" in record:
            final = record
        elif "isolation" in record:
            started = record
    isolation = str(final.get("isolation", started.get("isolation", "unknown")))
    if signal_number := _signal_of(returncode):
        detail = f"killed by {signal.Signals(signal_number).name}"
    elif returncode:
        detail = f"exit status {returncode}"
    else:
        detail = ""
    verdict = cause or _verdict_from(final, events, returncode, stderr, tests)
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


def _verdict_from(
    final: dict[str, Any],
    events: list[str],
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
    if any(e.startswith("process limit") for e in events):
        return Verdict.PROCESS_LIMIT
    if any(e.startswith("network") for e in events):
        return Verdict.NETWORK_BLOCKED
    if any(e.startswith("hidden file") for e in events):
        return Verdict.HIDDEN_FILE_BLOCKED
    if any(e.startswith("write outside") for e in events):
        return Verdict.WRITE_BLOCKED
    if not final or returncode:
        return Verdict.CRASHED
    return Verdict.OK


# -- child side (runs as ``python -I -S sandbox.py``; stdlib only) ---------------------------


class _Libc:
    def __init__(self) -> None:
        self.lib = ctypes.CDLL(None, use_errno=True)

    def call(self, name: str, *args: Any) -> None:
        if getattr(self.lib, name)(*args) != 0:
            code = ctypes.get_errno()
            raise OSError(code, f"{name}: {os.strerror(code)}")

    def mount(
        self,
        source: str | None,
        target: str,
        fstype: str | None,
        flags: int,
        data: str | None = None,
    ) -> None:
        self.call(
            "mount",
            source.encode() if source else None,
            target.encode(),
            fstype.encode() if fstype else None,
            ctypes.c_ulong(flags),
            data.encode() if data else None,
        )


def _child_main() -> None:
    payload = json.loads(sys.stdin.buffer.read())
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    out_fd = os.dup(1)
    emit = _emitter(out_fd, payload["nonce"])
    isolation = payload["isolation"]
    libc = _Libc()
    if isolation in ("auto", "namespace"):
        try:
            libc.call("unshare", _CLONE_NEWNS | _CLONE_NEWNET | _CLONE_NEWPID)
            isolation = "namespace"
        except OSError as error:
            if isolation == "namespace":
                emit({"done": True, "isolation": "none", "load_error": f"no namespaces: {error}"})
                os._exit(3)
            isolation = "guard"
    if isolation == "namespace":
        pid = os.fork()  # the child is PID 1 of the new namespace
        if pid:
            _, status = os.waitpid(pid, 0)
            code = os.waitstatus_to_exitcode(status)
            os._exit(128 - code if code < 0 else code)
        emit = _emitter(out_fd, payload["nonce"])  # this process is the one that reports
        workdir = _enter_namespace(libc, payload)
    else:
        workdir = payload["workdir"]
        _write_files(workdir, payload)
    _run_confined(payload, workdir, isolation, emit, libc)


def _emitter(fd: int, nonce: str) -> Callable[[dict[str, Any]], None]:
    prefix = f"{RESULT_MARKER} {nonce} ".encode()
    owner = os.getpid()

    def emit(record: dict[str, Any]) -> None:
        if os.getpid() != owner:  # a forked copy of the runner: stay silent, leave
            os._exit(0)
        os.write(fd, b"\n" + prefix + json.dumps(record).encode() + b"\n")

    return emit


def _enter_namespace(libc: _Libc, payload: dict[str, Any]) -> str:
    """Make the filesystem view: read-only host, private tmpfs, hidden task files."""
    libc.mount(None, "/", None, _MS_REC | _MS_PRIVATE)
    size = int(payload["limits"]["tmpfs"])
    libc.mount("tmpfs", "/tmp", "tmpfs", _MS_NOSUID | _MS_NODEV, f"size={size},mode=1777")
    _keep_reachable(libc, payload["keep"] + payload["sys_path"])
    for shared in ("/var/tmp", "/dev/shm"):
        if os.path.isdir(shared):
            libc.mount("tmpfs", shared, "tmpfs", _MS_NOSUID | _MS_NODEV, "size=1m,mode=1777")
    for hidden in payload["hidden"]:
        if os.path.isdir(hidden):
            libc.mount("tmpfs", hidden, "tmpfs", _MS_RDONLY | _MS_NOSUID, "size=4k,mode=000")
        elif os.path.exists(hidden):
            libc.mount("/dev/null", hidden, None, _MS_BIND)
    with contextlib.suppress(OSError):
        libc.mount("proc", "/proc", "proc", _MS_NOSUID | _MS_NODEV | _MS_NOEXEC)
    _loopback_up()
    libc.mount(None, "/", None, _MS_REMOUNT | _MS_BIND | _MS_RDONLY)
    workdir = "/tmp/work"
    os.mkdir(workdir)
    _write_files(workdir, payload)
    return workdir


def _loopback_up() -> None:
    """Bring up ``lo`` in the new network namespace, so tests may run a local server."""
    import fcntl
    import socket
    import struct

    with contextlib.suppress(OSError), socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sH14s", b"lo", 0, b"")
        flags = struct.unpack("16sH14s", fcntl.ioctl(sock, 0x8913, request))[1]  # SIOCGIFFLAGS
        fcntl.ioctl(sock, 0x8914, struct.pack("16sH14s", b"lo", flags | 1, b""))  # IFF_UP


def _keep_reachable(libc: _Libc, needed: list[str]) -> None:
    """Let the dropped uid reach the interpreter even if it lives under a private home.

    For a directory the sandbox uid cannot traverse (``/root`` with mode 700, where pyenv
    puts Python), mount an empty tmpfs over it and bind back only the interpreter's own
    directories, so the rest of that home stays invisible.
    """
    blocked: dict[str, list[str]] = {}
    for path in needed:
        real = os.path.realpath(path)
        current = "/"
        for part in Path(real).parts[1:]:
            current = os.path.join(current, part)
            try:
                mode = os.stat(current).st_mode
            except OSError:
                break
            if not mode & 0o001:
                blocked.setdefault(current, []).append(real)
                break
    for index, (top, keep) in enumerate(blocked.items()):
        keep = [
            p
            for p in dict.fromkeys(keep)
            if not any(p != other and p.startswith(other + os.sep) for other in keep)
        ]
        holders = []
        for number, path in enumerate(keep):
            holder = f"/tmp/.keep-{index}-{number}"
            os.mkdir(holder)
            libc.mount(path, holder, None, _MS_BIND | _MS_REC)
            holders.append((holder, path))
        libc.mount("tmpfs", top, "tmpfs", _MS_NOSUID | _MS_NODEV, "size=4k,mode=755")
        for holder, path in holders:
            os.makedirs(path, exist_ok=True)
            libc.mount(holder, path, None, _MS_BIND | _MS_REC)
            libc.call("umount2", holder.encode(), _MNT_DETACH)
            os.rmdir(holder)


def _write_files(workdir: str, payload: dict[str, Any]) -> None:
    with open(os.path.join(workdir, f"{SNIPPET_MODULE}.py"), "w", encoding="utf-8") as handle:
        handle.write(payload["snippet"])
    if payload["runner"] == "pytest":
        # only a placeholder for pytest to collect; the tests themselves stay in memory
        with open(os.path.join(workdir, f"{TEST_MODULE}.py"), "w", encoding="utf-8") as handle:
            handle.write("# graderlib's sandbox runs the task's tests from memory\n")
    uid = payload["uid"]
    if uid is not None:
        for name in [workdir, *(os.path.join(workdir, n) for n in os.listdir(workdir))]:
            os.chown(name, uid, uid)
    os.chmod(workdir, 0o700)


def _run_confined(
    payload: dict[str, Any],
    workdir: str,
    isolation: str,
    emit: Callable[[dict[str, Any]], None],
    libc: _Libc,
) -> None:
    import resource  # only the child needs it

    limits = payload["limits"]
    cpu = int(limits["cpu"])
    # soft == hard: the kernel sends SIGKILL at the limit (PID 1 of a namespace ignores SIGXCPU)
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    resource.setrlimit(resource.RLIMIT_AS, (limits["memory"], limits["memory"]))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits["fsize"], limits["fsize"]))
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits["nofile"], limits["nofile"]))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    uid = payload["uid"]
    dropped = False
    if uid is not None and (isolation == "namespace" or _reachable_by_others(payload["keep"])):
        resource.setrlimit(resource.RLIMIT_NPROC, (limits["nproc"], limits["nproc"]))
        os.setgroups([])
        os.setgid(uid)
        os.setuid(uid)
        dropped = True
    elif uid is None:
        # RLIMIT_NPROC counts every process of the real uid, so on a shared user account the
        # budget is what already runs plus this run's allowance
        allowance = _process_count(os.getuid()) + int(limits["nproc"])
        resource.setrlimit(resource.RLIMIT_NPROC, (allowance, allowance))
    if isolation == "namespace":
        # the supervisor kills the group on timeout; this makes PID 1 (and with it the whole
        # namespace) follow. A kill racing this line is covered by the uid sweep afterwards.
        libc.call("prctl", _PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    os.chdir(workdir)
    os.environ.clear()
    os.environ.update(
        {"PATH": "/usr/bin:/bin", "HOME": workdir, "TMPDIR": workdir, "LANG": "C.UTF-8"}
    )
    sys.path[:] = [workdir, *payload["sys_path"]]
    _install_guard(payload["hidden"], workdir, isolation == "namespace", emit)
    tests_source = payload.pop("tests")
    payload.pop("snippet")
    emit_isolation = isolation + ("" if dropped or uid is None else " (uid kept)")
    emit({"isolation": emit_isolation})
    if payload["runner"] == "pytest":
        load_error = _run_pytest(tests_source, workdir, emit)
    else:
        load_error = _run_lean(tests_source, workdir, emit)
    emit({"done": True, "isolation": emit_isolation, "load_error": load_error})
    sys.stdout.flush()
    os._exit(0)


def _process_count(uid: int) -> int:
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                count += entry.stat().st_uid == uid
    return count


def _reachable_by_others(paths: list[str]) -> bool:
    for path in paths:
        current = "/"
        for part in Path(path).parts[1:]:
            current = os.path.join(current, part)
            if not os.stat(current).st_mode & 0o001:
                return False
    return True


def _install_guard(
    hidden: list[str], workdir: str, private_net: bool, emit: Callable[[dict[str, Any]], None]
) -> None:
    """Audit hook: refuse sockets, hidden files and writes outside the sandbox; report them.

    In a namespace the kernel already enforces all three; the hook makes the verdict say what
    happened, and it is the only guard where namespaces are unavailable.
    """
    hidden_prefixes = tuple(h.rstrip("/") + "/" for h in hidden)
    hidden_exact = frozenset(hidden)
    # in a namespace /tmp is the sandbox's own tmpfs; without one it is the host's
    writable = (workdir.rstrip("/") + "/", "/dev/null", *(("/tmp/",) if private_net else ()))
    write_flags = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event.startswith("socket."):
            if not _network_allowed(event, args, private_net):
                target = args[1] if len(args) > 1 else args[0] if args else ""
                emit({"event": f"network: {event} {target!r}"[:200]})
                raise PermissionError(errno.ENETUNREACH, "network is blocked in the sandbox")
            return
        if event != "open" or not args or not isinstance(args[0], str | bytes):
            return
        path = os.path.abspath(os.fsdecode(args[0]))
        if path in hidden_exact or path.startswith(hidden_prefixes):
            emit({"event": "hidden file: access refused"})
            raise PermissionError(errno.EACCES, "task files are hidden from the sandbox")
        mode = args[1] if len(args) > 1 else None
        flags = args[2] if len(args) > 2 and isinstance(args[2], int) else 0
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or bool(
            flags & write_flags
        )
        if writing and not path.startswith(writable):
            emit({"event": f"write outside the sandbox refused: {path}"[:200]})
            raise PermissionError(errno.EROFS, "only the sandbox directory is writable")

    sys.addaudithook(hook)


def _is_loopback(host: object) -> bool:
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    if not isinstance(host, str):
        return False
    if host in ("localhost", ""):
        return True
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


def _is_numeric(host: object) -> bool:
    if isinstance(host, bytes):
        host = host.decode(errors="replace")
    try:
        ipaddress.ip_address(str(host))
    except ValueError:
        return False
    return True


def _network_allowed(event: str, args: tuple[Any, ...], private_net: bool) -> bool:
    """The network policy. In a namespace only loopback exists (it is the sandbox's own), so
    loopback servers in tests work; anything else is refused here too so the verdict can say
    so. Without a namespace, only Unix sockets are allowed. Either way a name lookup that
    needs DNS is refused (numeric addresses and ``localhost`` need none)."""
    if event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex"):
        host = args[0] if args else None
        return host is None or _is_numeric(host) or _is_loopback(host)
    if event in ("socket.connect", "socket.sendto", "socket.sendmsg", "socket.bind"):
        address = args[1] if len(args) > 1 else None
        if address is None or isinstance(address, str | bytes):
            return True  # a Unix socket, guarded by the filesystem
        if event == "socket.bind" and private_net:
            return True
        host = address[0] if isinstance(address, tuple) and address else None
        return private_net and _is_loopback(host)
    if event == "socket.gethostbyaddr":
        return private_net
    return True


class _CappedText(io.StringIO):
    def write(self, text: str) -> int:
        if self.tell() < 65536:
            return super().write(text[: 65536 - self.tell()])
        return len(text)


def _describe(error: BaseException) -> str:
    name = type(error).__name__
    text = str(error)
    return f"{name}: {text}"[:500] if text else name


def _failure_event(error: BaseException) -> str | None:
    if isinstance(error, OSError) and error.errno == errno.EAGAIN:
        return "process limit: fork refused"
    return None


def _load_tests(tests_source: str, workdir: str) -> types.ModuleType:
    """Execute the tests as module ``test_task`` from memory (this imports the snippet)."""
    module = types.ModuleType(TEST_MODULE)
    # a path beside the snippet (tests use Path(__file__).parent); no test source is there
    module.__file__ = os.path.join(workdir, f"{TEST_MODULE}.py")
    sys.modules[TEST_MODULE] = module
    exec(compile(tests_source, module.__file__, "exec"), module.__dict__)
    return module


def _load_error(error: BaseException, emit: Callable[[dict[str, Any]], None]) -> str:
    if event := _failure_event(error):
        emit({"event": event})
    return f"{_describe(error)} (while importing the {_load_stage(error)})"


def _run_lean(
    tests_source: str | None, workdir: str, emit: Callable[[dict[str, Any]], None]
) -> str | None:
    capture = _CappedText()
    with contextlib.redirect_stdout(capture), contextlib.redirect_stderr(capture):
        try:
            if tests_source is None:
                __import__(SNIPPET_MODULE)
                return None
            module = _load_tests(tests_source, workdir)
            del tests_source
        except BaseException as error:  # anything the snippet does is a result
            return _load_error(error, emit)
        for item in _collect(module):
            outcome, message = _run_one(item, workdir)
            emit({"test": item.name, "outcome": outcome, "message": message})
    return None


def _load_stage(error: BaseException) -> str:
    # frame filenames only: formatting a traceback would read source files from disk
    for frame, _ in traceback.walk_tb(error.__traceback__):
        if frame.f_code.co_filename.endswith(f"{SNIPPET_MODULE}.py"):
            return "snippet"
    return "tests"


def _collect(module: types.ModuleType) -> Iterator[_Collected]:
    for name, obj in list(vars(module).items()):
        if name.startswith("test") and isinstance(obj, types.FunctionType):
            if obj.__module__ == TEST_MODULE:
                yield from _expand(name, obj, None)
        elif name.startswith("Test") and isinstance(obj, type) and "__init__" not in vars(obj):
            for attr, member in list(vars(obj).items()):
                if attr.startswith("test") and isinstance(member, types.FunctionType):
                    yield from _expand(f"{name}::{attr}", member, obj)


def _marks(obj: Any) -> list[Any]:
    marks = list(getattr(obj, "pytestmark", []))
    return marks


def _expand(name: str, func: types.FunctionType, owner: type | None) -> Iterator[_Collected]:
    import inspect

    skip: str | None = None
    cases: list[tuple[str, dict[str, Any]]] = [("", {})]
    marks = _marks(func) + (_marks(owner) if owner is not None else [])
    for mark in reversed(marks):
        mark_name = getattr(mark, "name", "")
        if mark_name == "skip":
            skip = str(mark.kwargs.get("reason", mark.args[0] if mark.args else "skipped"))
        elif mark_name == "skipif" and mark.args and bool(mark.args[0]):
            skip = str(mark.kwargs.get("reason", "skipped"))
        elif mark_name == "parametrize":
            names, values = mark.args[0], mark.args[1]
            arg_names = (
                [n.strip() for n in names.split(",")] if isinstance(names, str) else list(names)
            )
            expanded: list[tuple[str, dict[str, Any]]] = []
            for suffix, kwargs in cases:
                for index, value in enumerate(values):
                    if type(value).__name__ == "ParameterSet":  # pytest.param(...)
                        value = value.values
                    row = value if len(arg_names) > 1 else (value,)
                    ident = "-".join(
                        _case_id(v, n, index) for n, v in zip(arg_names, row, strict=False)
                    )
                    joined = f"{suffix}-{ident}" if suffix else ident
                    expanded.append((joined, {**kwargs, **dict(zip(arg_names, row, strict=False))}))
            cases = expanded
    params = [p for p in inspect.signature(func).parameters if p != "self"]
    for suffix, kwargs in cases:
        fixtures = tuple(p for p in params if p not in kwargs)
        call: Callable[..., Any] = func
        setup = teardown = None
        if owner is not None:
            instance = owner()
            call = getattr(instance, func.__name__)
            setup = getattr(instance, "setup_method", None)
            teardown = getattr(instance, "teardown_method", None)
        yield _Collected(
            name=f"{name}[{suffix}]" if suffix else name,
            call=call,
            fixtures=fixtures,
            skip_reason=skip,
            setup=functools.partial(setup, func) if setup else None,
            teardown=functools.partial(teardown, func) if teardown else None,
            kwargs=kwargs,
        )


def _case_id(value: Any, name: str, index: int) -> str:
    if isinstance(value, str | int | float | bool) or value is None:
        return str(value)
    return f"{name}{index}"


def _test_line(error: BaseException, workdir: str) -> str:
    """`` (test_task.py:14)``: where in the tests it failed (no source on disk to quote)."""
    test_file = os.path.join(workdir, f"{TEST_MODULE}.py")
    line = None
    for frame, lineno in traceback.walk_tb(error.__traceback__):
        if frame.f_code.co_filename == test_file:
            line = lineno
    return f" ({TEST_MODULE}.py:{line})" if line is not None else ""


def _run_one(item: _Collected, workdir: str) -> tuple[str, str]:
    if item.skip_reason is not None:
        return "skipped", item.skip_reason
    undo: list[Callable[[], None]] = []
    kwargs = dict(item.kwargs)
    try:
        for fixture in item.fixtures:
            if fixture == "tmp_path":
                path = Path(tempfile.mkdtemp(dir=workdir, prefix="tmp_path-"))
                kwargs[fixture] = path
            elif fixture == "monkeypatch":
                import pytest

                patcher = pytest.MonkeyPatch()
                undo.append(patcher.undo)
                kwargs[fixture] = patcher
            else:
                return "error", f"fixture {fixture!r} not found"
        if item.setup:
            item.setup()
        item.call(**kwargs)
        outcome, message = "passed", ""
    except BaseException as error:  # a test result, whatever it is
        if type(error).__name__ == "Skipped":
            return "skipped", str(error)
        outcome = "failed" if isinstance(error, AssertionError) else "error"
        message = _describe(error) + _test_line(error, workdir)
        if event := _failure_event(error):
            message += f" [{event}]"
    finally:
        with contextlib.suppress(BaseException):
            if item.teardown:
                item.teardown()
        for action in reversed(undo):
            with contextlib.suppress(BaseException):
                action()
    return outcome, message


def _run_pytest(
    tests_source: str | None, workdir: str, emit: Callable[[dict[str, Any]], None]
) -> str | None:
    """Real pytest on the in-memory module: pytest collects the placeholder file beside the
    snippet, finds ``test_task`` already in ``sys.modules`` with that ``__file__``, and uses
    it, so the test source never reaches the disk in this mode either."""
    try:
        import pytest
    except ImportError as error:
        return f"pytest is needed for these tests but not importable: {error}"
    if tests_source is None:
        return "no tests to run"
    try:
        with contextlib.redirect_stdout(_CappedText()), contextlib.redirect_stderr(_CappedText()):
            _load_tests(tests_source, workdir)
    except BaseException as error:  # anything the snippet does is a result
        return _load_error(error, emit)
    del tests_source

    class Reporter:
        """Streams each test's outcome as the lean runner does."""

        collect_error: str | None = None

        def pytest_runtest_logreport(self, report: Any) -> None:
            if report.when != "call" and report.outcome == "passed":
                return
            if report.when == "call":
                outcome = str(report.outcome)
            else:
                outcome = "skipped" if report.skipped else "error"
            message = ""
            if report.longrepr is not None and outcome != "passed":
                crash = getattr(report.longrepr, "reprcrash", None)
                message = str(crash.message if crash else report.longrepr)[:500]
            emit({"test": report.nodeid.split("::", 1)[-1], "outcome": outcome, "message": message})

        def pytest_collectreport(self, report: Any) -> None:
            if report.failed:
                self.collect_error = str(report.longrepr)[-500:]

    reporter = Reporter()
    # third-party plugins (hypothesis, anyio, playwright ...) cost start-up and are not needed
    os.environ["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    with contextlib.redirect_stdout(_CappedText()):
        pytest.main(
            [
                os.path.join(workdir, f"{TEST_MODULE}.py"),
                "-q",
                "-p",
                "no:cacheprovider",
                "-p",
                "no:randomly",
                "--rootdir",
                workdir,
                "-c",
                os.devnull,
            ],
            plugins=[reporter],
        )
    return reporter.collect_error


if __name__ == "__main__":
    _child_main()
