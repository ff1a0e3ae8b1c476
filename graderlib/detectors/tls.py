"""TLS contexts that still accept SSL 2/3 or TLS 1.0/1.1 when they are used.

A context's protocol range is set in steps (``SSLContext(PROTOCOL_TLS)``, then
``options |= OP_NO_TLSv1``, then ``minimum_version = TLSVersion.TLSv1_2``), and only its use
(``wrap_socket``, pyOpenSSL's ``Connection``) makes the range matter. So this detector follows
each context local through those steps, in source order, and judges it where it is used. A
helper in the same file that returns a context is summarised once, by the range of what it
returns. Creating a context with an obsolete protocol (``PROTOCOL_SSLv3``) is reported at once.
"""

from __future__ import annotations

import libcst as cst

from graderlib.detectors.base import Detector, Invalid
from graderlib.detectors.calls import argument
from graderlib.detectors.tree import children
from graderlib.detectors.walk import Context
from graderlib.taxonomy import Severity

_ORDER = ("SSLv2", "SSLv3", "TLSv1", "TLSv1_1", "TLSv1_2", "TLSv1_3")
_WEAK = frozenset(_ORDER[:4])
# What a context made with each protocol constant accepts, among the weak versions.
_PROTOCOLS: dict[str, frozenset[str]] = {
    "PROTOCOL_SSLv2": frozenset({"SSLv2"}),
    "PROTOCOL_SSLv3": frozenset({"SSLv3"}),
    "PROTOCOL_TLSv1": frozenset({"TLSv1"}),
    "PROTOCOL_TLSv1_1": frozenset({"TLSv1_1"}),
    "PROTOCOL_TLSv1_2": frozenset(),
    "PROTOCOL_TLS": frozenset({"TLSv1", "TLSv1_1"}),
    "PROTOCOL_SSLv23": frozenset({"TLSv1", "TLSv1_1"}),
    "PROTOCOL_TLS_CLIENT": frozenset({"TLSv1", "TLSv1_1"}),
    "PROTOCOL_TLS_SERVER": frozenset({"TLSv1", "TLSv1_1"}),
    "SSLv2_METHOD": frozenset({"SSLv2"}),
    "SSLv3_METHOD": frozenset({"SSLv3"}),
    "TLSv1_METHOD": frozenset({"TLSv1"}),
    "TLSv1_1_METHOD": frozenset({"TLSv1_1"}),
    "TLSv1_2_METHOD": frozenset(),
    "SSLv23_METHOD": _WEAK,
    "TLS_METHOD": _WEAK,
    "TLS_CLIENT_METHOD": _WEAK,
    "TLS_SERVER_METHOD": _WEAK,
}
_CONTEXT_MAKERS = frozenset({"ssl.SSLContext", "OpenSSL.SSL.Context", "SSL.Context"})


class WeakTlsProtocol(Detector):
    """A TLS context that accepts SSL 2/3 or TLS 1.0/1.1 is used, or made with one.

    ``SSLContext(PROTOCOL_TLS)`` negotiates down to TLS 1.0 on the Pythons and OpenSSL builds
    that still allow it, unless ``OP_NO_TLSv1 | OP_NO_TLSv1_1`` or ``minimum_version =
    TLSVersion.TLSv1_2`` narrow it; ``ssl.create_default_context()`` starts narrowed, and
    ``options &= ~OP_NO_SSLv3`` widens it again. The finding is where the context is used.
    """

    id = "GL307"
    category = "weak-cipher"
    cwe = 327
    severity = Severity.MEDIUM
    message = "a TLS context that accepts an obsolete protocol (SSL, TLS 1.0/1.1) is used"
    VALID = (
        "import ssl, socket\ndef fetch(host):\n    context = ssl.SSLContext(ssl.PROTOCOL_TLS)\n"
        "    context.options |= ssl.OP_NO_TLSv1 | ssl.OP_NO_TLSv1_1\n"
        "    return context.wrap_socket(socket.create_connection((host, 443)))\n",
        "import ssl, socket\ndef fetch(host):\n    context = ssl.create_default_context()\n"
        "    return context.wrap_socket(socket.create_connection((host, 443)))\n",
        "import ssl, socket\ndef fetch(host):\n"
        "    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)\n"
        "    context.minimum_version = ssl.TLSVersion.TLSv1_2\n"
        "    return context.wrap_socket(socket.create_connection((host, 443)))\n",
    )
    INVALID = (
        Invalid("import ssl\nctx = ssl.SSLContext(ssl.PROTOCOL_SSLv3)\n", line=2),
        Invalid("import ssl\ndef wrap(sock):\n    return ssl.wrap_socket(sock)\n", line=3),
        Invalid(
            "import ssl, socket\ndef fetch(host):\n    context = ssl.SSLContext(ssl.PROTOCOL_TLS)\n"
            "    context.options |= ssl.OP_NO_TLSv1\n"
            "    return context.wrap_socket(socket.create_connection((host, 443)))\n",
            line=5,
        ),
        Invalid(
            "import ssl, socket\ndef relaxed():\n    return ssl.SSLContext(ssl.PROTOCOL_TLS)\n"
            "def fetch(host):\n    context = relaxed()\n"
            "    return context.wrap_socket(socket.create_connection((host, 443)))\n",
            line=6,
        ),
        Invalid(
            "import ssl, socket\ndef fetch(host):\n    context = ssl.create_default_context()\n"
            "    context.options &= ~ssl.OP_NO_SSLv3\n"
            "    return context.wrap_socket(socket.create_connection((host, 443)))\n",
            line=5,
        ),
    )

    def __init__(self) -> None:
        self.contexts: dict[tuple[int, str], frozenset[str]] = {}
        self.returns: dict[str, frozenset[str]] = {}

    def _key(self, name: str, ctx: Context) -> tuple[int, str]:
        found = ctx.lookup(name)
        return (id(found[0]) if found else id(ctx.scope), name)

    def _made(self, call: cst.Call, ctx: Context) -> frozenset[str] | None:
        """The weak versions a context made by ``call`` accepts; None if not a context."""
        callee = ctx.callee(call)
        if callee in {"ssl.create_default_context", "create_default_context"}:
            return frozenset()
        if callee in self.returns:
            return self.returns[callee]
        if callee not in _CONTEXT_MAKERS and not callee.endswith(("SSLContext", "SSL.Context")):
            return None
        protocol = argument(call, 0, "protocol", "method")
        if protocol is None:
            return _PROTOCOLS["PROTOCOL_TLS"]
        name = _constant_name(protocol, ctx)
        return _PROTOCOLS.get(name, frozenset()) if name else frozenset()

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        if ctx.callee(node) == "ssl.wrap_socket":
            # the module function (removed in 3.12) makes its own context from ``ssl_version``
            # (PROTOCOL_TLS by default) and uses it at once
            protocol = argument(node, 5, "ssl_version")
            name = _constant_name(protocol, ctx) if protocol is not None else "PROTOCOL_TLS"
            if _PROTOCOLS.get(name or ""):
                self.report(
                    ctx, node, "ssl.wrap_socket accepts an obsolete protocol (SSL, TLS 1.0/1.1)"
                )
            return
        made = self._made(node, ctx)
        if made is not None and ctx.callee(node) not in self.returns:
            protocol = argument(node, 0, "protocol", "method")
            name = _constant_name(protocol, ctx) if protocol is not None else None
            if name in _PROTOCOLS and _PROTOCOLS[name] and len(_PROTOCOLS[name]) == 1:
                self.report(ctx, node)  # made for one obsolete protocol: wrong at once
                return
        func = node.func
        if ctx.callee(node).endswith("SSL.Connection"):
            used = argument(node, 0, "context")
            if isinstance(used, cst.Name) and self.contexts.get(self._key(used.value, ctx)):
                self.report(ctx, node)
        elif isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
            key = self._key(func.value.value, ctx)
            if func.attr.value == "wrap_socket" and self.contexts.get(key):
                self.report(ctx, node)
            elif func.attr.value == "set_options" and key in self.contexts:
                self.contexts[key] = self.contexts[key] - _flags(node, ctx)

    def visit_Assign(self, node: cst.Assign, ctx: Context) -> None:
        target = node.targets[0].target if len(node.targets) == 1 else None
        if isinstance(target, cst.Name) and isinstance(node.value, cst.Call):
            made = self._made(node.value, ctx)
            if made is not None:
                self.contexts[self._key(target.value, ctx)] = made
        elif (
            isinstance(target, cst.Attribute)
            and target.attr.value == "minimum_version"
            and isinstance(target.value, cst.Name)
        ):
            key = self._key(target.value.value, ctx)
            if key in self.contexts:
                floor = _constant_name(node.value, ctx) or ""
                if floor in _ORDER:
                    lowest = _ORDER.index(floor)
                    self.contexts[key] = frozenset(v for v in _WEAK if _ORDER.index(v) >= lowest)

    def visit_AugAssign(self, node: cst.AugAssign, ctx: Context) -> None:
        target = node.target
        if not (
            isinstance(target, cst.Attribute)
            and target.attr.value == "options"
            and isinstance(target.value, cst.Name)
        ):
            return
        key = self._key(target.value.value, ctx)
        current = self.contexts.get(key, frozenset())
        if isinstance(node.operator, cst.BitOrAssign):
            self.contexts[key] = current - _flags(node.value, ctx)
        elif isinstance(node.operator, cst.BitAndAssign):
            self.contexts[key] = current | _flags(node.value, ctx)

    def visit_Return(self, node: cst.Return, ctx: Context) -> None:
        function = ctx.function
        if function is None or node.value is None:
            return
        state: frozenset[str] | None = None
        if isinstance(node.value, cst.Call):
            state = self._made(node.value, ctx)
        elif isinstance(node.value, cst.Name):
            state = self.contexts.get(self._key(node.value.value, ctx))
        if state is not None and function.qualname.count(".") == 0:
            self.returns[function.name] = state


def _constant_name(expr: cst.BaseExpression, ctx: Context) -> str | None:
    """``ssl.PROTOCOL_TLS`` -> ``PROTOCOL_TLS``; a module constant bound to one, followed."""
    if isinstance(expr, cst.Attribute):
        return expr.attr.value
    if isinstance(expr, cst.Name):
        found = ctx.lookup(expr.value)
        if found and found[1] and isinstance(found[1][-1].value, cst.Attribute | cst.Name):
            value = found[1][-1].value
            if value is not None and value is not expr:
                return _constant_name(value, ctx)
        return expr.value
    return None


def _flags(node: cst.CSTNode, ctx: Context) -> frozenset[str]:
    """The versions named by ``OP_NO_<version>`` flags anywhere in ``node``."""
    found: set[str] = set()
    stack: list[cst.CSTNode] = [node]
    while stack:
        current = stack.pop()
        name = None
        if isinstance(current, cst.Attribute):
            name = current.attr.value
        elif isinstance(current, cst.Name):
            name = current.value
        if name and name.startswith("OP_NO_") and name[6:] in _WEAK:
            found.add(name[6:])
        stack.extend(children(current))
    return frozenset(found)
