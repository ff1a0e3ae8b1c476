"""Files and handles: racy temp names, world-writable modes, handles that are never closed."""

from __future__ import annotations

import stat

import libcst as cst

from graderlib.detectors.base import Detector, Invalid
from graderlib.detectors.calls import argument, short_name
from graderlib.detectors.dataflow import Level, classify
from graderlib.detectors.tree import children
from graderlib.detectors.walk import Context, constant_value
from graderlib.taxonomy import Severity


class InsecureTempFile(Detector):
    """``tempfile.mktemp`` returns a name that another process can create first.

    Between the name being chosen and the file being opened, an attacker can create it (or
    a symlink) and read or redirect what is written. ``mkstemp``/``NamedTemporaryFile``
    create and open the file atomically.
    """

    id = "GL402"
    category = "insecure-temp-file"
    cwe = 377
    severity = Severity.MEDIUM
    message = "tempfile.mktemp returns a name another process can claim first; use mkstemp"
    VALID = ("import tempfile\nfd, path = tempfile.mkstemp()\n",)
    INVALID = (
        Invalid("import tempfile\npath = tempfile.mktemp()\n", line=2),
        Invalid(
            "from tempfile import mktemp\nwith open(mktemp(), 'w') as fh:\n    fh.write('x')\n",
            line=2,
        ),
    )

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        if ctx.callee(node) in {"tempfile.mktemp", "os.tempnam", "os.tmpnam"}:
            self.report(ctx, node)


def mode_value(expr: cst.BaseExpression | None, ctx: Context) -> int | None:
    """The integer a mode expression evaluates to (``0o777``, ``stat.S_IRWXU | stat.S_IWOTH``)."""
    if isinstance(expr, cst.Integer):
        try:
            return int(expr.value.replace("_", ""), 0)
        except ValueError:
            return None
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.BitOr | cst.Add):
        left, right = mode_value(expr.left, ctx), mode_value(expr.right, ctx)
        return None if left is None or right is None else left | right
    name = ctx.qualname(expr) if expr is not None else None
    if name is not None and short_name(name).startswith("S_"):
        value = getattr(stat, short_name(name), None)
        return value if isinstance(value, int) else None
    return None


class WorldWritableMode(Detector):
    """A file or directory is made world-writable, or given a mode written in decimal.

    A mode with the o+w bit lets any local user replace or modify the file; for a script or
    config that another process runs or trusts, that is privilege escalation. A mode such as
    ``644`` or ``400`` written without ``0o`` is a decimal number: ``400`` is ``0o620``
    (group-writable, not owner-readable), never what its author meant. Modes are read where
    they are set (``chmod``) and where a file or directory is created with one (``os.open``,
    ``os.mkdir``/``makedirs``, ``Path.mkdir``/``touch``). Group/owner modes such as ``0o640``
    and ``0o755`` are fine.
    """

    id = "GL403"
    category = "permissive-file-mode"
    cwe = 732
    severity = Severity.MEDIUM
    message = "a file is made world-writable"
    VALID = (
        "import os\nos.chmod('/srv/app.sock', 0o660)\n",
        "import os, stat\nos.chmod(path, stat.S_IRUSR | stat.S_IWUSR)\n",
        "import os\nfd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)\n",
        "import os\nos.makedirs(cache, 0o755, exist_ok=True)\n",
    )
    INVALID = (
        Invalid("import os\nos.chmod('/srv/upload', 0o777)\n", line=2),
        Invalid("import os, stat\nos.chmod(p, stat.S_IRWXU | stat.S_IWOTH)\n", line=2),
        Invalid("from pathlib import Path\nPath('x').chmod(0o666)\n", line=2),
        Invalid("import os\nos.chmod(key_file, 400)\n", line=2),
        Invalid("import os\nfd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o666)\n", line=2),
        Invalid("import os\nos.makedirs(spool, mode=0o777)\n", line=2),
    )

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        callee = ctx.callee(node)
        method = node.func.attr.value if isinstance(node.func, cst.Attribute) else ""
        if callee in _MODE_AT:
            mode = argument(node, _MODE_AT[callee], "mode")
        elif method in {"chmod", "lchmod"}:
            mode = argument(node, 0, "mode")
        elif method in {"mkdir", "touch"} and not callee.startswith("os."):
            mode = argument(node, None, "mode")  # pathlib: keyword-first in practice
        else:
            return
        if isinstance(mode, cst.Integer) and _decimal_mode(mode):
            decimal = int(mode.value.replace("_", ""))
            self.report(
                ctx,
                node,
                f"the mode {mode.value} is decimal ({oct(decimal)}), not the octal "
                f"0o{mode.value} it looks like",
            )
            return
        value = mode_value(mode, ctx)
        if value is not None and value & stat.S_IWOTH:
            self.report(ctx, node)


#: call -> positional index of its mode argument
_MODE_AT = {
    "os.chmod": 1,
    "os.fchmod": 1,
    "os.lchmod": 1,
    "os.open": 2,
    "os.mkdir": 1,
    "os.makedirs": 1,
    "os.mkfifo": 1,
}


def _decimal_mode(literal: cst.Integer) -> bool:
    """``644``/``400``: a decimal literal whose digits are all octal, three or four of them."""
    digits = literal.value.replace("_", "")
    return (
        digits.isdigit()
        and len(digits) in {3, 4}
        and not digits.startswith("0")
        and all(d in "01234567" for d in digits)
    )


_RESOURCES = frozenset(
    {
        "open",
        "io.open",
        "codecs.open",
        "socket.socket",
        "socket.create_connection",
        "sqlite3.connect",
        "psycopg2.connect",
        "pymysql.connect",
        "mysql.connector.connect",
        "urllib.request.urlopen",
        "tarfile.open",
        "zipfile.ZipFile",
        "gzip.open",
        "bz2.open",
        "lzma.open",
    }
)
_CONSUMERS = frozenset({"load", "loads", "reader", "DictReader", "safe_load", "parse", "read_csv"})


class ResourceLeak(Detector):
    """A file, socket or connection is opened outside ``with`` and never closed in its scope.

    Leaked descriptors run out under load and unflushed writes are lost. ``with`` or an
    explicit ``close()``/``finally`` in the same function clears it; a handle returned or
    stored on ``self`` is the caller's to close and is not flagged.
    """

    id = "GL501"
    category = "resource-leak"
    cwe = 772
    severity = Severity.MEDIUM
    message = "a file/socket/connection is opened outside `with` and never closed"
    VALID = (
        "def read(p):\n    with open(p) as fh:\n        return fh.read()\n",
        "def read(p):\n    fh = open(p)\n    try:\n        return fh.read()\n"
        "    finally:\n        fh.close()\n",
        "def reader(p):\n    return open(p)\n",
        "class Log:\n    def __init__(self, p):\n        self.fh = open(p, 'a')\n",
    )
    INVALID = (
        Invalid("def read(p):\n    fh = open(p)\n    return fh.read()\n", line=2),
        Invalid("import json\ndef load(p):\n    return json.load(open(p))\n", line=3),
        Invalid(
            "import sqlite3\ndef count(db):\n    conn = sqlite3.connect(db)\n"
            "    return conn.execute('SELECT 1').fetchone()\n",
            line=3,
        ),
        Invalid("def head(p):\n    return open(p).readline()\n", line=2),
    )

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        if ctx.callee(node) not in _RESOURCES:
            return
        function = ctx.function
        if function is None:
            return  # module-level handles live as long as the program
        parent = ctx.parent()
        if isinstance(parent, cst.WithItem):
            return
        if isinstance(parent, cst.Attribute):
            self.report(ctx, node)  # open(p).read(): closed only when the GC gets to it
        elif isinstance(parent, cst.Arg):
            consumer = ctx.parent(2)
            if isinstance(consumer, cst.Call) and short_name(ctx.callee(consumer)) in _CONSUMERS:
                self.report(ctx, node)
        elif isinstance(parent, cst.Assign) and len(parent.targets) == 1:
            target = parent.targets[0].target
            if isinstance(target, cst.Name) and not _released(function.node, target.value):
                self.report(ctx, node)


def _released(function: cst.CSTNode, name: str) -> bool:
    """``name`` is closed, used as a context manager, returned, yielded or handed on."""
    stack: list[cst.CSTNode] = list(children(function))
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Attribute) and isinstance(node.value, cst.Name):
            if node.value.value == name and node.attr.value in {"close", "__exit__", "detach"}:
                return True
        elif isinstance(node, cst.WithItem) and _mentions(node.item, name):
            return True
        elif isinstance(node, cst.Return | cst.Yield) and node.value is not None:
            if _hands_on(node.value, name):
                return True
        elif (
            isinstance(node, cst.Assign)
            and _hands_on(node.value, name)
            and any(not isinstance(t.target, cst.Name) for t in node.targets)
        ):
            return True  # stored on an object that now owns it
        stack.extend(children(node))
    return False


def _hands_on(expr: cst.CSTNode, name: str) -> bool:
    """The handle itself (not something read from it) is passed on: ``return fh``, ``W(fh)``."""
    if isinstance(expr, cst.Name):
        return expr.value == name
    if isinstance(expr, cst.Tuple | cst.List):
        return any(_hands_on(e.value, name) for e in expr.elements)
    if isinstance(expr, cst.Call):
        return any(_hands_on(a.value, name) for a in expr.args)
    return False


def _mentions(expr: cst.CSTNode, name: str) -> bool:
    if isinstance(expr, cst.Name):
        return expr.value == name
    return any(_mentions(child, name) for child in children(expr))


_ARCHIVE_OPENERS = frozenset({"tarfile.open", "tarfile.TarFile", "tarfile.TarFile.open"})
_SAFE_FILTERS = frozenset({"data", "tar"})


class TarSlip(Detector):
    """Members of an archive from outside are extracted without a path filter (tar slip).

    A member named ``../../etc/cron.d/x`` or ``/abs/path`` is written outside the target
    directory. The archive matters only when its path is not a constant (an upload, an
    argument); a constant archive shipped with the program is trusted. ``filter="data"``
    (or ``"tar"``), a ``members=`` generator that vets names, or a guard on the member
    (``if os.path.isabs(m.name) or ".." in m.name: raise``) make extraction safe.
    """

    id = "GL120"
    category = "path-traversal"
    cwe = 22
    severity = Severity.HIGH
    message = "an archive from outside is extracted without confining its member paths"
    VALID = (
        "import tarfile\ndef unpack(path):\n    with tarfile.open(path) as tar:\n"
        "        tar.extractall('out', filter='data')\n",
        "import tarfile\ntar = tarfile.open('bundled.tar')\ntar.extractall()\n",
        "import os, tarfile\ndef unpack(path):\n    tar = tarfile.open(path)\n"
        "    for entry in tar:\n        if os.path.isabs(entry.name) or '..' in entry.name:\n"
        "            raise ValueError(entry.name)\n        tar.extract(entry, 'out')\n",
    )
    INVALID = (
        Invalid(
            "import tarfile\ndef unpack(path):\n    with tarfile.open(path) as tar:\n"
            "        tar.extractall('out')\n",
            line=4,
        ),
        Invalid(
            "import sys, tarfile\ntar = tarfile.open(sys.argv[1])\nfor entry in tar:\n"
            "    tar.extract(entry)\n",
            line=4,
        ),
        Invalid(
            "import tarfile\ndef unpack(path, how):\n    tar = tarfile.open(path)\n"
            "    tar.extractall(filter=how)\n",
            line=4,
        ),
    )

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        func = node.func
        if not isinstance(func, cst.Attribute) or func.attr.value not in {"extract", "extractall"}:
            return
        archive = _archive_path(func.value, ctx)
        if archive is None:
            return
        outside = classify(archive, ctx, "path") is not Level.SAFE
        filtered = _safe_filter(node, ctx)
        if func.attr.value == "extractall":
            members = argument(node, None, "members")
            vetted = isinstance(members, cst.Call) and not _is_archive(members, ctx)
            unsafe = outside and not filtered and not vetted
        else:
            member = argument(node, 0, "member")
            vetted = member is not None and classify(member, ctx, "path") is Level.SAFE
            unsafe = outside and not filtered and not (vetted and _validated(member, ctx))
        ctx.judge(self, node, unsafe, "the archive is constant, filtered or its members vetted")


def _archive_path(receiver: cst.BaseExpression, ctx: Context) -> cst.BaseExpression | None:
    """The path ``tar`` was opened from, when ``tar = tarfile.open(path)`` (or ``with``)."""
    if not isinstance(receiver, cst.Name):
        return None
    found = ctx.lookup(receiver.value)
    for binding in ctx.reaching(found[1]) if found else ():
        made = binding.value
        if isinstance(made, cst.Call) and ctx.callee(made) in _ARCHIVE_OPENERS:
            return argument(made, 0, "name") or cst.Name("None")
    return None


def _is_archive(call: cst.Call, ctx: Context) -> bool:
    return ctx.callee(call) in _ARCHIVE_OPENERS or short_name(ctx.callee(call)) == "getmembers"


def _safe_filter(call: cst.Call, ctx: Context) -> bool:
    chosen = argument(call, None, "filter")
    if chosen is None:
        return False
    value = constant_value(chosen, ctx)
    return isinstance(value, str) and value in _SAFE_FILTERS


def _validated(member: cst.BaseExpression | None, ctx: Context) -> bool:
    if not isinstance(member, cst.Name):
        return False
    found = ctx.lookup(member.value)
    return any(b.kind == "validated" for b in ctx.reaching(found[1])) if found else False
