"""Network calls: TLS verification turned off, and calls that can hang for ever."""

from __future__ import annotations

import libcst as cst

from graderlib.detectors.base import Detector, Invalid
from graderlib.detectors.calls import has_star_kwargs, is_constant, keyword, short_name
from graderlib.detectors.walk import UNDECIDED, Context, constant_value
from graderlib.taxonomy import Severity

_HTTP_VERBS = ("get", "post", "put", "delete", "patch", "head", "options", "request")


# aiohttp spells "do not verify" as ssl=False on requests, sessions and connectors.
_AIOHTTP_SSL_CALLS = frozenset({*_HTTP_VERBS, "ws_connect", "TCPConnector", "ClientSession"})


class TlsVerificationDisabled(Detector):
    """Certificate or host-key verification is turned off.

    ``verify=False``, ``ssl=False`` (aiohttp), ``CERT_NONE``, ``check_hostname = False``,
    ``_create_unverified_context`` and paramiko's ``AutoAddPolicy`` let anyone on the path
    impersonate the server. A CA bundle path for ``verify`` is the correct way to trust a
    private CA.
    """

    id = "GL304"
    category = "tls-verification-disabled"
    cwe = 295
    severity = Severity.HIGH
    message = "certificate or host-key verification is disabled"
    VALID = (
        "import requests\nrequests.get('https://x', timeout=5)\n",
        "import requests\nrequests.get('https://x', verify='/etc/ssl/ca.pem', timeout=5)\n",
    )
    INVALID = (
        Invalid("import requests\nrequests.get('https://x', verify=False, timeout=5)\n", line=2),
        Invalid("import ssl\nctx = ssl._create_unverified_context()\n", line=2),
        Invalid(
            "async def f(session):\n    return await session.get('https://x', ssl=False)\n", line=2
        ),
        Invalid(
            "import ssl\nctx = ssl.create_default_context()\nctx.check_hostname = False\n"
            "ctx.verify_mode = ssl.CERT_NONE\n",
            line=3,
        ),
        Invalid(
            "import paramiko\nc = paramiko.SSHClient()\n"
            "c.set_missing_host_key_policy(paramiko.AutoAddPolicy())\n",
            line=3,
        ),
    )

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        callee = ctx.callee(node)
        verify = keyword(node, "verify") or keyword(node, "verify_ssl")
        ssl_setting = keyword(node, "ssl")
        aiohttp_off = (
            ssl_setting is not None
            and is_constant(ssl_setting.value, "False")
            and short_name(callee) in _AIOHTTP_SSL_CALLS
        )
        if (
            aiohttp_off
            or (verify is not None and _falsy_constant(verify.value, ctx))
            or callee in {"ssl._create_unverified_context", "ssl._create_stdlib_context"}
        ):
            self.report(ctx, node)
        elif short_name(callee) == "set_missing_host_key_policy" and node.args:
            policy = ctx.qualname(node.args[0].value) or ""
            if short_name(policy.removesuffix("()")) in {"AutoAddPolicy", "WarningPolicy"}:
                self.report(ctx, node)
        else:
            reqs = keyword(node, "cert_reqs")
            if reqs is not None and (ctx.qualname(reqs.value) or "").endswith("CERT_NONE"):
                self.report(ctx, node)

    def visit_Assign(self, node: cst.Assign, ctx: Context) -> None:
        for target in node.targets:
            slot = target.target
            if not isinstance(slot, cst.Attribute):
                continue
            if slot.attr.value == "check_hostname" and is_constant(node.value, "False"):
                self.report(ctx, node)
            elif slot.attr.value == "verify_mode":
                if (ctx.qualname(node.value) or "").endswith("CERT_NONE"):
                    self.report(ctx, node)
            elif slot.attr.value == "verify" and is_constant(node.value, "False"):
                self.report(ctx, node)


class RequestWithoutTimeout(Detector):
    """A network call (requests, urlopen, httpx with ``timeout=None``) has no timeout.

    requests and urllib wait for ever by default, so one slow peer holds a worker until it
    is restarted. An explicit ``timeout=`` is the fix; httpx has a default, so only an
    explicit ``None`` is flagged there.
    """

    id = "GL401"
    category = "request-without-timeout"
    cwe = 400
    severity = Severity.MEDIUM
    message = "a network call without a timeout can hang the worker for ever"
    VALID = (
        "import requests\nrequests.get('https://x', timeout=5)\n",
        "import httpx\nhttpx.get('https://x')\n",
        "import requests\ndef get(url, **kw):\n    return requests.get(url, **kw)\n",
    )
    INVALID = (
        Invalid("import requests\ndef fetch(url):\n    return requests.get(url).json()\n", line=3),
        Invalid("import httpx\nclient = httpx.Client(timeout=None)\n", line=2),
        Invalid(
            "from urllib.request import urlopen\ndef fetch(u):\n    return urlopen(u).read()\n",
            line=3,
        ),
    )

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        callee = ctx.callee(node)
        timeout = keyword(node, "timeout")
        if callee.startswith("httpx."):
            # httpx has a 5 s default: only an explicit None removes it.
            if timeout is not None and is_constant(timeout.value, "None"):
                self.report(ctx, node)
            return
        if callee.startswith("requests.") and short_name(callee) in _HTTP_VERBS:
            pass
        elif callee not in {"urllib.request.urlopen", "urllib2.urlopen"}:
            return
        if callee.count(".") > 1 and not callee.startswith("urllib"):
            return
        if timeout is None and has_star_kwargs(node):
            return
        if timeout is None or is_constant(timeout.value, "None"):
            if callee.startswith("urllib") and len(node.args) >= 3:
                return  # urlopen(url, data, timeout) positionally
            self.report(ctx, node)


def _falsy_constant(expr: cst.BaseExpression, ctx: Context) -> bool:
    """``False``, ``0``, or a local that constant folding shows holds one of them."""
    value = constant_value(expr, ctx)
    return value is not UNDECIDED and value is not None and not value
