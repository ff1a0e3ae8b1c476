"""The runner inside the sandbox: set up the box, then run the snippet and its tests.

Executed as ``python -I -S graderlib/verify/runner.py`` by
:func:`graderlib.verify.sandbox.run_in_sandbox`, which sends one JSON payload on stdin (the snippet,
the tests, the limits, the paths to hide) and reads the result stream from stdout. Standard
library only, so the interpreter starts without ``site`` and this costs little more than a
bare Python start.

Order matters: everything that needs privileges (namespaces, mounts, loopback, the uid switch)
happens first, and the untrusted code is imported last, inside the limits and behind the audit
hook. Each result line carries the run's nonce; a forked copy of the runner stays silent.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import functools
import io
import ipaddress
import json
import os
import signal
import sys
import tempfile
import traceback
import types
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol

RESULT_MARKER = "\x1egraderlib-sandbox"
SNIPPET_MODULE = "snippet"
TEST_MODULE = "test_task"
LEAN_FIXTURES = frozenset({"tmp_path", "monkeypatch"})


class Record(StrEnum):
    """The kind of one result line (``RESULT_MARKER nonce {"kind": ..., ...}``).

    The supervisor (:mod:`graderlib.verify.sandbox`) dispatches on these members, so the wire
    format is defined once, here, for both sides.
    """

    STARTED = "started"  # the box is up; ``isolation`` names which kind
    TEST = "test"  # one test: ``name``, ``outcome``, ``message``
    BLOCKED = "blocked"  # the guard or a limit refused something: ``event``, ``detail``
    DONE = "done"  # the run is over: ``isolation``, ``load_error``


class Blocked(StrEnum):
    """What a ``Record.BLOCKED`` line reports was refused; the supervisor maps each to a verdict."""

    PROCESS_LIMIT = "process limit"
    NETWORK = "network"
    HIDDEN_FILE = "hidden file"
    WRITE_OUTSIDE = "write outside"


class Emit(Protocol):
    """Writes one result line of the given kind (see :func:`_emitter`)."""

    def __call__(self, kind: Record, /, **fields: Any) -> None: ...


FORK_REFUSED = "process limit: fork refused"

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


@dataclass
class _Collected:
    name: str
    call: Callable[..., Any]
    fixtures: tuple[str, ...]
    skip_reason: str | None = None
    setup: Callable[[], Any] | None = None
    teardown: Callable[[], Any] | None = None
    kwargs: dict[str, Any] = field(default_factory=dict)


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
                emit(Record.DONE, isolation="none", load_error=f"no namespaces: {error}")
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


def _emitter(fd: int, nonce: str) -> Emit:
    prefix = f"{RESULT_MARKER} {nonce} ".encode()
    owner = os.getpid()

    def emit(kind: Record, /, **fields: Any) -> None:
        if os.getpid() != owner:  # a forked copy of the runner: stay silent, leave
            os._exit(0)
        record = json.dumps({"kind": kind.value, **fields})
        os.write(fd, b"\n" + prefix + record.encode() + b"\n")

    return emit


def _enter_namespace(libc: _Libc, payload: dict[str, Any]) -> str:
    """Make the filesystem view: read-only host, private tmpfs, hidden task files."""
    libc.mount(None, "/", None, _MS_REC | _MS_PRIVATE)
    size = int(payload["limits"]["tmpfs"])
    under_tmp = _held_open_under(payload["keep"] + payload["sys_path"], "/tmp")
    libc.mount("tmpfs", "/tmp", "tmpfs", _MS_NOSUID | _MS_NODEV, f"size={size},mode=1777")
    _bind_back(libc, under_tmp)
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


def _outermost_under(paths: list[str], top: str) -> list[str]:
    """The interpreter's directories under ``top``, without those nested in another."""
    real = sorted({os.path.realpath(p) for p in paths if os.path.isdir(p)})
    inside = [p for p in real if p.startswith(top + os.sep)]
    return [p for p in inside if not any(p.startswith(o + os.sep) for o in inside)]


def _held_open_under(paths: list[str], top: str) -> list[tuple[str, int]]:
    """Open (O_PATH) the interpreter's directories that live under ``top``, before it is covered.

    A checkout or virtualenv under /tmp (CI often clones there) would vanish under the private
    tmpfs; holding a descriptor lets us bind exactly those directories back afterwards.
    """
    return [(p, os.open(p, os.O_PATH | os.O_DIRECTORY)) for p in _outermost_under(paths, top)]


def _bind_back(libc: _Libc, held: list[tuple[str, int]]) -> None:
    """Bind the held directories into the fresh tmpfs at their own paths, read-only."""
    for path, fd in held:
        os.makedirs(path, exist_ok=True)
        libc.mount(f"/proc/self/fd/{fd}", path, None, _MS_BIND | _MS_REC)
        libc.mount(None, path, None, _MS_REMOUNT | _MS_BIND | _MS_RDONLY | _MS_REC)
        os.close(fd)


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
    emit: Emit,
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
    in_namespace = isolation == "namespace"
    bound_back = _outermost_under(payload["keep"] + payload["sys_path"], "/tmp")
    _install_guard(
        payload["hidden"], workdir, in_namespace, emit, tuple(bound_back) if in_namespace else ()
    )
    tests_source = payload.pop("tests")
    payload.pop("snippet")
    emit_isolation = isolation + ("" if dropped or uid is None else " (uid kept)")
    emit(Record.STARTED, isolation=emit_isolation)
    if payload["runner"] == "pytest":
        load_error = _run_pytest(tests_source, workdir, emit)
    else:
        load_error = _run_lean(tests_source, workdir, emit)
    emit(Record.DONE, isolation=emit_isolation, load_error=load_error)
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
    hidden: list[str],
    workdir: str,
    private_net: bool,
    emit: Emit,
    read_only: tuple[str, ...] = (),
) -> None:
    """Audit hook: refuse sockets, hidden files and writes outside the sandbox; report them.

    In a namespace the kernel already enforces all three; the hook makes the verdict say what
    happened, and it is the only guard where namespaces are unavailable.
    """
    hidden_prefixes = tuple(h.rstrip("/") + "/" for h in hidden)
    hidden_exact = frozenset(hidden)
    # in a namespace /tmp is the sandbox's own tmpfs; without one it is the host's
    writable = (workdir.rstrip("/") + "/", "/dev/null", *(("/tmp/",) if private_net else ()))
    # the interpreter's directories bound back into the private /tmp are read-only
    bound_back = tuple(p.rstrip("/") + "/" for p in read_only)
    write_flags = os.O_WRONLY | os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_TRUNC

    def hook(event: str, args: tuple[Any, ...]) -> None:
        if event.startswith("socket."):
            if not _network_allowed(event, args, private_net):
                target = args[1] if len(args) > 1 else args[0] if args else ""
                detail = f"network: {event} {target!r}"[:200]
                emit(Record.BLOCKED, event=Blocked.NETWORK, detail=detail)
                raise PermissionError(errno.ENETUNREACH, "network is blocked in the sandbox")
            return
        if event != "open" or not args or not isinstance(args[0], str | bytes):
            return
        path = os.path.abspath(os.fsdecode(args[0]))
        if path in hidden_exact or path.startswith(hidden_prefixes):
            emit(Record.BLOCKED, event=Blocked.HIDDEN_FILE, detail="hidden file: access refused")
            raise PermissionError(errno.EACCES, "task files are hidden from the sandbox")
        mode = args[1] if len(args) > 1 else None
        flags = args[2] if len(args) > 2 and isinstance(args[2], int) else 0
        writing = (isinstance(mode, str) and any(c in mode for c in "wax+")) or bool(
            flags & write_flags
        )
        if writing and (not path.startswith(writable) or path.startswith(bound_back)):
            detail = f"write outside the sandbox refused: {path}"[:200]
            emit(Record.BLOCKED, event=Blocked.WRITE_OUTSIDE, detail=detail)
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


def _fork_refused(error: BaseException) -> bool:
    """``EAGAIN`` from fork/spawn: ``RLIMIT_NPROC`` was reached."""
    return isinstance(error, OSError) and error.errno == errno.EAGAIN


def _load_tests(tests_source: str, workdir: str) -> types.ModuleType:
    """Execute the tests as module ``test_task`` from memory (this imports the snippet)."""
    module = types.ModuleType(TEST_MODULE)
    # a path beside the snippet (tests use Path(__file__).parent); no test source is there
    module.__file__ = os.path.join(workdir, f"{TEST_MODULE}.py")
    sys.modules[TEST_MODULE] = module
    exec(compile(tests_source, module.__file__, "exec"), module.__dict__)
    return module


def _load_error(error: BaseException, emit: Emit) -> str:
    if _fork_refused(error):
        emit(Record.BLOCKED, event=Blocked.PROCESS_LIMIT, detail=FORK_REFUSED)
    return f"{_describe(error)} (while importing the {_load_stage(error)})"


def _run_lean(tests_source: str | None, workdir: str, emit: Emit) -> str | None:
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
            emit(Record.TEST, name=item.name, outcome=outcome, message=message)
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
        if _fork_refused(error):
            message += f" [{FORK_REFUSED}]"
    finally:
        with contextlib.suppress(BaseException):
            if item.teardown:
                item.teardown()
        for action in reversed(undo):
            with contextlib.suppress(BaseException):
                action()
    return outcome, message


def _run_pytest(tests_source: str | None, workdir: str, emit: Emit) -> str | None:
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
            name = report.nodeid.split("::", 1)[-1]
            emit(Record.TEST, name=name, outcome=outcome, message=message)

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
