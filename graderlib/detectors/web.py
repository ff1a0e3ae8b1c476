"""Web endpoints: path traversal, SSRF, open redirect, XSS, debug mode.

``open(path)``, ``requests.get(url)`` and ``redirect(target)`` are in every codebase, almost
always harmless. They become findings only when the dataflow traces the argument to the
request (``request.args``, a route handler's parameters) without a sanitiser or a guard in
between; that is the difference between a look-alike and a bug.
"""

from __future__ import annotations

import libcst as cst

from graderlib.detectors.base import Detector, Invalid
from graderlib.detectors.calls import argument, is_constant, keyword, short_name
from graderlib.detectors.dataflow import Level, classify, is_formatted, string_parts
from graderlib.detectors.names import words
from graderlib.detectors.tree import children
from graderlib.detectors.walk import UNDECIDED, Context, constant_value, slot_key
from graderlib.taxonomy import Severity

_PATH_SINKS = frozenset(
    {
        "open",
        "io.open",
        "codecs.open",
        "os.open",
        "flask.send_file",
        "send_file",
        "fastapi.responses.FileResponse",
        "starlette.responses.FileResponse",
        "FileResponse",
        "django.http.FileResponse",
        "os.remove",
        "os.unlink",
        "os.rmdir",
        "os.listdir",
        "os.scandir",
        "shutil.rmtree",
        "shutil.copy",
        "shutil.copyfile",
        "shutil.move",
    }
)
_PATH_METHODS = frozenset(
    {"read_text", "read_bytes", "write_text", "write_bytes", "open", "unlink", "rmdir"}
)


class PathTraversal(Detector):
    """A file path built from request data reaches ``open``, ``send_file`` or a pathlib read.

    ``../`` in the value walks out of the intended directory. ``secure_filename``,
    ``os.path.basename``, ``safe_join``/``send_from_directory`` and a realpath check against
    the base directory (``if not path.startswith(BASE): abort(403)``) confine it. Only
    TAINTED paths are flagged, since ``open(path)`` with a program's own path is everywhere.
    """

    id = "GL110"
    category = "path-traversal"
    cwe = 22
    severity = Severity.HIGH
    message = "a file path comes from the request without being confined to a base directory"
    VALID = (
        "from flask import request, send_from_directory\n@app.route('/f')\ndef f():\n"
        "    return send_from_directory('files', request.args['name'])\n",
        "import os\nfrom flask import request\nfrom werkzeug.utils import secure_filename\n"
        "@app.route('/f')\ndef f():\n    name = secure_filename(request.args['name'])\n"
        "    return open(os.path.join('files', name)).read()\n",
        "import os\nfrom flask import request, abort\n@app.route('/f')\ndef f():\n"
        "    path = os.path.realpath(os.path.join(BASE, request.args['name']))\n"
        "    if not path.startswith(BASE):\n        abort(403)\n    return open(path).read()\n",
    )
    INVALID = (
        Invalid(
            "import os\nfrom flask import request\n@app.route('/f')\ndef f():\n"
            "    path = os.path.join('files', request.args['name'])\n"
            "    with open(path) as fh:\n        return fh.read()\n",
            line=6,
        ),
        Invalid(
            "from pathlib import Path\nfrom flask import request\n@app.route('/n')\ndef n():\n"
            "    return (Path('/srv/notes') / request.args['name']).read_text()\n",
            line=5,
        ),
        Invalid(
            "from flask import send_file\n@app.route('/f/<name>')\ndef f(name):\n"
            "    return send_file('/srv/files/' + name)\n",
            line=4,
        ),
        Invalid(
            "from flask import request, send_from_directory\n@app.route('/f')\ndef f():\n"
            "    base = request.args['dir']\n    return send_from_directory(base, 'index.html')\n",
            line=5,
        ),
    )

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        callee = ctx.callee(node)
        if callee in _PATH_SINKS:
            path = argument(node, 0, "file", "path", "filename", "path_or_file", "src")
        elif callee in {"flask.send_from_directory", "send_from_directory"}:
            path = argument(node, 0, "directory")  # the file name is confined; the base is not
        elif isinstance(node.func, cst.Attribute) and node.func.attr.value in _PATH_METHODS:
            receiver = node.func.value
            if not _is_path_expression(receiver, ctx):
                return
            path = receiver
        else:
            return
        if path is not None:
            unsafe = classify(path, ctx, "path") is Level.TAINTED
            ctx.judge(self, node, unsafe, "the path is not from the request, or is confined", path)


def _is_path_expression(expr: cst.BaseExpression, ctx: Context) -> bool:
    """``Path(x)``, ``BASE / name`` (pathlib's join), or a local bound to one of them."""
    if isinstance(expr, cst.Call):
        return short_name(ctx.callee(expr)) in {"Path", "PurePath", "PosixPath"}
    if isinstance(expr, cst.BinaryOperation):
        return isinstance(expr.operator, cst.Divide)
    if isinstance(expr, cst.Name):
        found = ctx.lookup(expr.value)
        return any(
            b.value is not None and _is_path_expression(b.value, ctx)
            for b in (ctx.reaching(found[1]) if found else ())
            if b.kind == "assign"
        )
    return False


_FETCHES = frozenset(
    {
        *(f"requests.{m}" for m in ("get", "post", "put", "delete", "patch", "head", "options")),
        *(f"httpx.{m}" for m in ("get", "post", "put", "delete", "patch", "head", "options")),
        "urllib.request.urlopen",
        "urllib.request.Request",
        "urllib2.urlopen",
        "urlopen",
    }
)


class ServerSideRequestForgery(Detector):
    """The server fetches a URL, host or path that comes from the request.

    requests/httpx/urllib fetches, HTTP clients and sessions, ``http.client`` connections and
    SDK clients built from a URL (``vault_url=``, ``from_*_url``) are sinks; the requester can
    point them at internal services or cloud metadata. A host checked against an allow-list
    (``if urlparse(u).hostname not in ALLOWED: abort()``) is validated; a scheme check alone
    is not.
    """

    id = "GL111"
    category = "ssrf"
    cwe = 918
    severity = Severity.HIGH
    message = "the server fetches a URL taken from the request, without an allow-list"
    VALID = (
        "import requests\nfrom flask import request\n@app.route('/w')\ndef w():\n"
        "    city = request.args['city']\n"
        "    return requests.get('https://api.weather.example/v1', params={'q': city},"
        " timeout=5).text\n",
        "import requests\nfrom urllib.parse import urlparse\nfrom flask import request, abort\n"
        "@app.route('/p')\ndef p():\n    url = request.args['url']\n"
        "    if urlparse(url).hostname not in ALLOWED_HOSTS:\n        abort(400)\n"
        "    return requests.get(url, timeout=5).text\n",
    )
    INVALID = (
        Invalid(
            "import requests\nfrom flask import request\n@app.route('/p')\ndef p():\n"
            "    return requests.get(request.args['url'], timeout=5).text\n",
            line=5,
        ),
        Invalid(
            "import httpx\n@app.get('/f')\nasync def f(target: str):\n"
            "    async with httpx.AsyncClient() as client:\n"
            "        return await client.get(target)\n",
            line=5,
        ),
        Invalid(
            "from urllib.request import urlopen\n@app.get('/p')\ndef p(url: str):\n"
            "    return urlopen(url, timeout=3).read()\n",
            line=4,
        ),
    )

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        callee = ctx.callee(node)
        if callee in {"requests.request", "httpx.request"}:
            url = argument(node, 1, "url")
        elif callee in _FETCHES:
            url = argument(node, 0, "url")
        elif http_client_method(node, ctx) is not None:
            method = http_client_method(node, ctx)
            url = argument(node, 1, "url") if method == "request" else argument(node, 0, "url")
            if method == "request" and _tainted_connection(node, ctx):
                self.report(ctx, node)  # http.client: the host itself is the requester's
                return
        elif callee not in _REDIRECTS and short_name(callee) not in {"url_for", "reverse"}:
            url = _client_url(node, callee)
            if url is None or classify(url, ctx, "url") is not Level.TAINTED:
                return  # an SDK client given a URL: report tainted ones, judge nothing else
        else:
            return
        if url is not None:
            unsafe = classify(url, ctx, "url") is Level.TAINTED
            why = "the URL is not from the request, or is allow-listed"
            ctx.judge(self, node, unsafe, why, url)


_CLIENT_FACTORIES = frozenset(
    {
        "requests.Session",
        "requests.session",
        "httpx.Client",
        "httpx.AsyncClient",
        "aiohttp.ClientSession",
        "urllib3.PoolManager",
    }
)
_CLIENT_METHODS = frozenset(
    {"get", "post", "put", "delete", "patch", "head", "options", "request", "stream"}
)


_CONNECTIONS = frozenset(
    {
        "http.client.HTTPConnection",
        "http.client.HTTPSConnection",
        "httplib.HTTPConnection",
        "httplib.HTTPSConnection",
    }
)
_CLIENT_WORDS = frozenset({"session", "client", "http", "conn", "connection"})


def http_client_method(call: cst.Call, ctx: Context) -> str | None:
    """``client.get`` where ``client`` is an HTTP client or connection: the method name.

    A client is made by ``httpx.AsyncClient()`` & co, ``http.client.HTTPConnection``, or is
    a local named like one (``session``, ``client``) whose maker the dataflow cannot see.
    """
    func = call.func
    if not isinstance(func, cst.Attribute) or func.attr.value not in _CLIENT_METHODS:
        return None
    receiver = func.value
    if isinstance(receiver, cst.Call):
        return func.attr.value if ctx.callee(receiver) in _CLIENT_FACTORIES else None
    if not isinstance(receiver, cst.Name):
        return None
    found = ctx.lookup(receiver.value)
    makers = [b.value for b in found[1] if isinstance(b.value, cst.Call)] if found else []
    for made_by in makers:
        if ctx.callee(made_by) in _CLIENT_FACTORIES | _CONNECTIONS:
            return func.attr.value
    if ctx.qualname(receiver) in {"flask.session", "session"} and not found:
        return None  # flask's session is a dict, not an HTTP session
    named = set(words(receiver.value)) & _CLIENT_WORDS
    unknown_maker = found is not None and all(ctx.callee(m) not in _KNOWN_MAPS for m in makers)
    return func.attr.value if named and unknown_maker and makers else None


_KNOWN_MAPS = frozenset({"dict", "collections.OrderedDict", "collections.defaultdict"})


def _tainted_connection(call: cst.Call, ctx: Context) -> bool:
    """``conn.request(...)`` on ``conn = HTTPConnection(host)`` with ``host`` from the request."""
    receiver = call.func.value if isinstance(call.func, cst.Attribute) else None
    if not isinstance(receiver, cst.Name):
        return False
    found = ctx.lookup(receiver.value)
    for binding in ctx.reaching(found[1]) if found else ():
        made_by = binding.value
        if isinstance(made_by, cst.Call) and ctx.callee(made_by) in _CONNECTIONS:
            host = argument(made_by, 0, "host")
            return host is not None and classify(host, ctx, "url") is Level.TAINTED
    return False


def _client_url(call: cst.Call, callee: str) -> cst.BaseExpression | None:
    """The URL an SDK client is built for: ``vault_url=``, ``blob_url=``, ``from_*_url(u)``."""
    for arg in call.args:
        if arg.keyword is not None and (
            arg.keyword.value == "url" or arg.keyword.value.endswith("_url")
        ):
            return arg.value
    name = short_name(callee)
    if name.startswith("from_") and name.endswith("url"):
        return argument(call, 0)
    if name.endswith("Client") and name[:1].isupper():
        return argument(call, 0)
    return None


_REDIRECTS = frozenset(
    {
        "flask.redirect",
        "redirect",
        "django.shortcuts.redirect",
        "django.http.HttpResponseRedirect",
        "HttpResponseRedirect",
        "django.http.HttpResponsePermanentRedirect",
        "fastapi.responses.RedirectResponse",
        "starlette.responses.RedirectResponse",
        "RedirectResponse",
        "werkzeug.utils.redirect",
    }
)


class OpenRedirect(Detector):
    """A redirect target (``redirect``, a ``Location`` header) comes from the request.

    ``?next=https://evil.example`` turns the site into a phishing relay. ``url_for``/``reverse``
    targets and a guard such as ``if not is_safe_url(target): target = '/'`` make it SAFE; a
    check of the scheme alone does not, since it leaves the host free.
    """

    id = "GL112"
    category = "open-redirect"
    cwe = 601
    severity = Severity.MEDIUM
    message = "the redirect target comes from the request without checking it stays on-site"
    VALID = (
        "from flask import redirect, url_for\n@app.route('/out')\ndef out():\n"
        "    return redirect(url_for('index'))\n",
        "from flask import redirect, request\n@app.route('/login')\ndef login():\n"
        "    target = request.args.get('next', '/')\n"
        "    if not is_safe_url(target):\n        target = '/'\n    return redirect(target)\n",
    )
    INVALID = (
        Invalid(
            "from flask import redirect, request\n@app.route('/login')\ndef login():\n"
            "    return redirect(request.args.get('next', '/'))\n",
            line=4,
        ),
        Invalid(
            "def login(form, query):\n    target = query.get('next') or '/home'\n"
            "    return Response(302, headers={'Location': target})\n",
            line=3,
        ),
        Invalid(
            "def back(environ, start_response):\n    url = environ.get('HTTP_REFERER', '/')\n"
            "    if not url.startswith('https://'):\n        url = '/'\n"
            "    start_response('302 Found', [('Location', url)])\n"
            "    return redirect(url)\n",
            line=6,
        ),
    )

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        if ctx.callee(node) not in _REDIRECTS:
            return
        target = argument(node, 0, "location", "url", "redirect_to", "to")
        if target is not None:
            unsafe = classify(target, ctx, "url") is Level.TAINTED
            why = "the target is not from the request, or is checked"
            ctx.judge(self, node, unsafe, why, target)

    def visit_DictElement(self, node: cst.DictElement, ctx: Context) -> None:
        """``headers={"Location": target}``: a redirect spelled as a header."""
        if _is_location_key(node.key) and classify(node.value, ctx, "url") is Level.TAINTED:
            self.report(ctx, node)

    def visit_Assign(self, node: cst.Assign, ctx: Context) -> None:
        """``response.headers["Location"] = target``."""
        for target in node.targets:
            slot = target.target
            if isinstance(slot, cst.Subscript) and isinstance(slot.slice[0].slice, cst.Index):
                key = slot.slice[0].slice.value
                if _is_location_key(key) and classify(node.value, ctx, "url") is Level.TAINTED:
                    self.report(ctx, node)


def _is_location_key(key: cst.BaseExpression) -> bool:
    return isinstance(key, cst.SimpleString) and str(key.evaluated_value).lower() == "location"


_HTML_RESPONSES = frozenset(
    {
        "flask.make_response",
        "make_response",
        "flask.Response",
        "Response",
        "django.http.HttpResponse",
        "HttpResponse",
        "fastapi.responses.HTMLResponse",
        "starlette.responses.HTMLResponse",
        "HTMLResponse",
    }
)


def _looks_like_html(texts: list[str]) -> bool:
    for text in texts:
        for index, char in enumerate(text[:-1]):
            if char == "<" and (text[index + 1].isalpha() or text[index + 1] == "/"):
                return True
    return False


class ReflectedXss(Detector):
    """HTML-looking text built by formatting reaches a response with request data unescaped.

    Returned strings, ``make_response``/``HttpResponse`` bodies and tornado ``self.write``
    are sinks when their literal parts contain tags. ``html.escape``/``markupsafe.escape``
    sanitise; when some interpolated parts are escaped and another is of unknown origin, the
    author evidently knew and missed one, so that is flagged too.
    """

    id = "GL113"
    category = "xss"
    cwe = 79
    severity = Severity.HIGH
    message = "HTML is built from request data without escaping"
    VALID = (
        "from flask import request\nfrom markupsafe import escape\n@app.route('/hi')\ndef hi():\n"
        "    return f\"<h1>Hello {escape(request.args['name'])}</h1>\"\n",
        "import html\ndef card(user):\n    name = html.escape(user.name)\n"
        "    return f'<div>{name} ({int(user.age)})</div>'\n",
        "from flask import request, render_template\n@app.route('/hi')\ndef hi():\n"
        "    return render_template('hi.html', name=request.args['name'])\n",
    )
    INVALID = (
        Invalid(
            "from flask import request\n@app.route('/hi')\ndef hi():\n"
            "    name = request.args.get('name', '')\n    return '<h1>Hello ' + name + '</h1>'\n",
            line=5,
        ),
        Invalid(
            "from django.http import HttpResponse\ndef hi(request):\n"
            "    return HttpResponse('<p>%s</p>' % request.GET['q'])\n",
            line=3,
        ),
        Invalid(
            "import html\ndef card(c):\n    who = html.escape(c.author)\n"
            "    return f'<p><b>{who}</b> {c.body}</p>'\n",
            line=4,
        ),
        Invalid(
            "class Search(tornado.web.RequestHandler):\n    def get(self):\n"
            "        self.write('<h2>%s</h2>' % self.get_argument('q'))\n",
            line=3,
        ),
    )

    def visit_Return(self, node: cst.Return, ctx: Context) -> None:
        if node.value is not None and ctx.function is not None:
            self._check(node.value, node, ctx)

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        func = node.func
        tornado_write = (
            isinstance(func, cst.Attribute)
            and func.attr.value in {"write", "finish"}
            and isinstance(func.value, cst.Name)
            and func.value.value == "self"
        )
        if ctx.callee(node) in _HTML_RESPONSES or tornado_write:
            body = argument(node, 0, "response", "content", "body", "chunk")
            if body is not None:
                self._check(body, node, ctx)

    def _check(self, value: cst.BaseExpression, node: cst.CSTNode, ctx: Context) -> None:
        if not is_formatted(value, ctx):
            return
        texts = string_parts(value)
        if isinstance(value, cst.Name):
            found = ctx.lookup(value.value)
            for binding in found[1] if found else ():
                if binding.value is not None:
                    texts.extend(string_parts(binding.value))
        if not _looks_like_html(texts):
            return
        level = classify(value, ctx, "html")
        unsafe = level is Level.TAINTED or (level is Level.UNKNOWN and _escapes_some(value, ctx))
        ctx.judge(self, node, unsafe, "the HTML holds no request data, or escapes it", value)


def _escapes_some(value: cst.BaseExpression, ctx: Context) -> bool:
    """Some interpolated parts are escaped and others are not: the author knew, and missed one."""
    parts: list[cst.BaseExpression] = []
    if isinstance(value, cst.FormattedString):
        parts = [p.expression for p in value.parts if isinstance(p, cst.FormattedStringExpression)]
    elif isinstance(value, cst.BinaryOperation):
        parts = [value.left, value.right]
    names = [p for p in parts if isinstance(p, cst.Name)]
    levels = [classify(p, ctx, "html") for p in parts]
    escaped = [p for p in names if _bound_to_escape(p, ctx)]
    return bool(escaped) and Level.UNKNOWN in levels


def _bound_to_escape(name: cst.Name, ctx: Context) -> bool:
    found = ctx.lookup(name.value)
    if found is None:
        return False
    for binding in found[1]:
        if isinstance(binding.value, cst.Call) and short_name(ctx.callee(binding.value)) in {
            "escape",
            "clean",
        }:
            return True
    return False


class JinjaAutoescapeOff(Detector):
    """A ``jinja2.Environment`` is created without autoescape (or with ``autoescape=False``).

    jinja2 defaults to no escaping outside Flask, so every ``{{ value }}`` in an HTML template
    is raw HTML. ``autoescape=select_autoescape()`` (or ``True``) fixes it; an environment
    configured through ``**options`` is not judged, since the setting cannot be seen.
    """

    id = "GL114"
    category = "xss"
    cwe = 79
    severity = Severity.HIGH
    message = "jinja2 Environment renders without autoescape; use select_autoescape()"
    VALID = ("import jinja2\nenv = jinja2.Environment(autoescape=jinja2.select_autoescape())\n",)
    INVALID = (
        Invalid(
            "import jinja2\nenv = jinja2.Environment(loader=jinja2.FileSystemLoader('t'))\n", line=2
        ),
        Invalid("from jinja2 import Environment\nenv = Environment(autoescape=False)\n", line=2),
    )

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        if ctx.callee(node) not in {"jinja2.Environment", "jinja2.environment.Environment"}:
            return
        setting = keyword(node, "autoescape")
        if setting is None and any(a.star == "**" for a in node.args):
            return
        if setting is None or is_constant(setting.value, "False"):
            self.report(ctx, node)


_MARK_SAFE = frozenset(
    {
        "django.utils.safestring.mark_safe",
        "mark_safe",
        "markupsafe.Markup",
        "flask.Markup",
        "jinja2.Markup",
        "Markup",
    }
)


class MarkSafeOnData(Detector):
    """Request-derived or formatted text is wrapped in ``mark_safe``/``Markup``.

    Marking text safe disables the template engine's escaping for it, so request data inside
    becomes HTML. A constant ``Markup('<b>x</b>')`` and ``Markup('<b>%s</b>') % escape(v)``
    (Markup's own escaping ``%``) are fine.
    """

    id = "GL115"
    category = "xss"
    cwe = 79
    severity = Severity.HIGH
    message = "request-derived text is marked safe HTML, bypassing autoescape"
    VALID = (
        "from markupsafe import Markup\nBANNER = Markup('<b>Welcome</b>')\n",
        "from markupsafe import Markup, escape\ndef show(name):\n"
        "    return Markup('<b>%s</b>') % escape(name)\n",
    )
    INVALID = (
        Invalid(
            "from django.utils.safestring import mark_safe\ndef bio(request):\n"
            "    return mark_safe('<p>' + request.GET['bio'] + '</p>')\n",
            line=3,
        ),
        Invalid(
            "from markupsafe import Markup\ndef show(name):\n    return Markup(f'<b>{name}</b>')\n",
            line=3,
        ),
    )

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        if ctx.callee(node) not in _MARK_SAFE:
            return
        text = argument(node, 0, "s", "base")
        if text is None:
            return
        level = classify(text, ctx, "html")
        if level is Level.TAINTED or (level is Level.UNKNOWN and is_formatted(text, ctx)):
            self.report(ctx, node)


# Calls whose ``debug=True`` turns on a framework's debugger or tracebacks.
_DEBUG_CALLS = frozenset(
    {"run", "run_server", "run_simple", "FastAPI", "Starlette", "Sanic", "Quart", "Application"}
)


class DebugMode(Detector):
    """A web framework runs with its debugger or tracebacks on (``debug=True``, ``DEBUG = True``).

    Werkzeug's interactive debugger executes Python typed into the browser, and Django's
    debug pages show settings and source. A value read from the environment is a deployment
    decision and is not flagged; a literal ``True`` in code that ships is.
    """

    id = "GL116"
    category = "debug-mode"
    cwe = 489
    severity = Severity.MEDIUM
    message = "the web app runs in debug mode (interactive debugger, stack traces)"
    VALID = (
        "import os\napp.run(debug=os.environ.get('FLASK_DEBUG') == '1')\n",
        "app.run(host='127.0.0.1')\n",
    )
    INVALID = (
        Invalid("from flask import Flask\napp = Flask(__name__)\napp.run(debug=True)\n", line=3),
        Invalid("from fastapi import FastAPI\napp = FastAPI(title='api', debug=True)\n", line=2),
        Invalid("app.config['DEBUG'] = True\n", line=1),
        Invalid("DEBUG = True\n", line=1),
    )

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        if short_name(ctx.callee(node)) not in _DEBUG_CALLS:
            return
        debug = keyword(node, "debug") or keyword(node, "use_debugger")
        if debug is not None and is_constant(debug.value, "True"):
            self.report(ctx, node)

    def visit_Assign(self, node: cst.Assign, ctx: Context) -> None:
        if not is_constant(node.value, "True"):
            return
        for target in node.targets:
            slot = target.target
            if (
                (isinstance(slot, cst.Name) and slot.value == "DEBUG" and ctx.function is None)
                or (isinstance(slot, cst.Attribute) and slot.attr.value == "debug")
                or (
                    isinstance(slot, cst.Subscript)
                    and "DEBUG"
                    in string_parts(
                        slot.slice[0].slice.value
                        if isinstance(slot.slice[0].slice, cst.Index)
                        else slot
                    )
                )
            ):
                self.report(ctx, node)


_SENSITIVE_COOKIE_WORDS = frozenset(
    {"session", "sid", "auth", "token", "jwt", "remember", "login", "csrf", "sessionid"}
)
#: Flask/Werkzeug, Django, Starlette/FastAPI, aiohttp and tornado response methods.
_COOKIE_SETTERS = frozenset({"set_cookie", "set_signed_cookie", "set_secure_cookie"})
#: Werkzeug, Django and Starlette share ``set_cookie(key, value, max_age, expires, path,
#: domain, secure, httponly, samesite)``; aiohttp's flags are keyword-only and tornado's go
#: through ``**kwargs``, so these positions are read for ``set_cookie`` alone.
_FLAG_POSITIONS = {"secure": 6, "httponly": 7, "samesite": 8}
_COOKIE_FACTORIES = frozenset({"SimpleCookie", "BaseCookie", "Morsel"})

#: (secure, httponly): True set, False missing or off, None not decidable here
_Flags = tuple[bool | None, bool | None]


class InsecureCookie(Detector):
    """A cookie is set without ``secure=True`` or ``httponly=True``.

    OWASP's session management guidance and CodeQL's py/insecure-cookie and
    py/client-exposed-cookie queries ask for both on every cookie a server sets: without
    ``Secure`` the browser sends it over plain HTTP, without ``HttpOnly`` any injected script
    reads it (and ``SameSite=None`` is only honoured with ``Secure``). A missing HttpOnly is
    CWE-1004, a missing Secure CWE-614; a session/auth/token-named cookie weighs MEDIUM, any
    other LOW, since a theme cookie leaks less. Flags passed through ``**kwargs`` or computed
    at run time are not visible and are not judged.
    """

    id = "GL117"
    category = "insecure-cookie"
    cwe = 614
    severity = Severity.MEDIUM
    message = "a cookie is set without secure=True and httponly=True"
    VALID = (
        "def login(resp, sid):\n"
        "    resp.set_cookie('session', sid, secure=True, httponly=True, samesite='Lax')\n",
        "def pick(resp, theme):\n    resp.set_cookie('theme', theme, secure=True, httponly=True)\n",
        "def pick(resp, theme, **flags):\n    resp.set_cookie('theme', theme, **flags)\n",
        "def pick(resp, theme, config):\n"
        "    resp.set_cookie('theme', theme, secure=config.secure, httponly=True)\n",
        "SECURE = True\n"
        "def pick(resp, theme):\n"
        "    resp.set_cookie('theme', theme, None, None, '/', None, SECURE, True)\n",
        "from http.cookies import SimpleCookie\n"
        "def jar(value):\n    c = SimpleCookie()\n    c['id'] = value\n"
        "    c['id']['secure'] = True\n    c['id']['httponly'] = True\n    return c\n",
        "from http.cookies import SimpleCookie\n"
        "def jar(value):\n    c = SimpleCookie()\n    c['id'] = value\n    morsel = c['id']\n"
        "    morsel['secure'] = morsel['httponly'] = True\n    return morsel.OutputString()\n",
        "def raw(resp):\n    resp.headers['Set-Cookie'] = 'id=1; Secure; HttpOnly; SameSite=Lax'\n",
    )
    INVALID = (
        Invalid("def login(resp, sid):\n    resp.set_cookie('session', sid)\n", line=2),
        Invalid(
            "def login(resp, token):\n"
            "    resp.set_cookie(key='auth_token', value=token, secure=True)\n",
            line=2,
        ),
        Invalid("def pick(resp, theme):\n    resp.set_cookie('theme', theme)\n", line=2),
        Invalid(
            "def pick(resp, theme):\n"
            "    resp.set_cookie('theme', theme, httponly=True, samesite='None')\n",
            line=2,
        ),
        Invalid(
            "def pick(response, theme):\n"
            "    response.set_cookie('theme', theme, None, None, '/', None, False, True)\n",
            line=2,
        ),
        Invalid(
            "class H(tornado.web.RequestHandler):\n"
            "    def get(self):\n        self.set_secure_cookie('user', 'x', httponly=True)\n",
            line=3,
        ),
        Invalid(
            "def view(request):\n    response = HttpResponse()\n"
            "    response.set_signed_cookie('uid', '1', salt='s', secure=True, httponly=False)\n",
            line=3,
        ),
        Invalid(
            "import http.cookies\n"
            "def jar(value):\n    c = http.cookies.SimpleCookie()\n    c['id'] = value\n"
            "    c['id']['httponly'] = True\n    return c\n",
            line=4,
        ),
        Invalid("def raw(resp):\n    resp.headers['Set-Cookie'] = 'id=1; HttpOnly'\n", line=2),
    )

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value in _COOKIE_SETTERS:
            if any(a.star for a in node.args):
                return
            positional = func.attr.value == "set_cookie"
            flags = (
                _call_flag(node, "secure", positional, ctx),
                _call_flag(node, "httponly", positional, ctx),
            )
            samesite = argument(
                node, _FLAG_POSITIONS["samesite"] if positional else None, "samesite"
            )
            lax_none = samesite is not None and str(constant_value(samesite, ctx)).lower() == "none"
            self._judge(ctx, node, argument(node, 0, "key", "name"), flags, lax_none)
        elif (
            isinstance(func, cst.Attribute)
            and func.attr.value in {"add", "add_header", "set_header", "append", "setdefault"}
            and len(node.args) >= 2
            and "set-cookie" in " ".join(string_parts(node.args[0].value)).lower()
        ):
            self._header(ctx, node, node.args[1].value)

    def visit_Assign(self, node: cst.Assign, ctx: Context) -> None:
        if len(node.targets) != 1 or not isinstance(node.targets[0].target, cst.Subscript):
            return
        slot = node.targets[0].target
        key = slot_key(slot, ctx)
        if isinstance(key, str) and key.lower() == "set-cookie":
            self._header(ctx, node, node.value)
            return
        jar = slot.value
        if isinstance(jar, cst.Name) and _is_cookie_jar(jar, ctx):
            flags = _morsel_flags(ctx, jar.value)
            index = slot.slice[0].slice if slot.slice else None
            name = index.value if isinstance(index, cst.Index) else None
            self._judge(ctx, node, name, flags, False)

    def _header(self, ctx: Context, node: cst.CSTNode, value: cst.BaseExpression) -> None:
        """A raw ``Set-Cookie`` header whose text is visible: are the attributes in it?"""
        text = " ".join(string_parts(value)).lower()
        if not text.strip() or "=" not in text:
            return
        name = cst.SimpleString(repr(text.split("=", 1)[0].strip()))
        self._judge(ctx, node, name, ("secure" in text, "httponly" in text), False)

    def _judge(
        self,
        ctx: Context,
        node: cst.CSTNode,
        name: cst.BaseExpression | None,
        flags: _Flags,
        samesite_none: bool,
    ) -> None:
        secure, httponly = flags
        missing = [f for f, on in (("secure", secure), ("httponly", httponly)) if on is False]
        if not missing:
            return
        what = " and ".join(f"{flag}=True" for flag in missing)
        message = f"a cookie is set without {what}"
        if samesite_none and secure is False:
            message += " (SameSite=None is only honoured with Secure)"
        sensitive = name is None or bool(set(words(_cookie_name(name))) & _SENSITIVE_COOKIE_WORDS)
        if sensitive:
            message = message.replace("a cookie", "a session/auth cookie", 1)
        self.report(
            ctx,
            node,
            message,
            severity=Severity.MEDIUM if sensitive else Severity.LOW,
            cwe=614 if secure is False else 1004,
        )


def _cookie_name(name: cst.BaseExpression) -> str:
    if isinstance(name, cst.SimpleString):
        value = name.evaluated_value
        return value if isinstance(value, str) else ""
    if isinstance(name, cst.Name | cst.Attribute):
        return name.value if isinstance(name, cst.Name) else name.attr.value
    return " ".join(string_parts(name))


def _call_flag(call: cst.Call, flag: str, positional: bool, ctx: Context) -> bool | None:
    value = argument(call, _FLAG_POSITIONS[flag] if positional else None, flag)
    if value is None:
        value = next(
            (a.value for a in call.args if a.keyword and a.keyword.value.lower() == flag), None
        )
    if value is None:
        return False
    decided = constant_value(value, ctx)
    return None if decided is UNDECIDED else bool(decided)


def _is_cookie_jar(jar: cst.Name, ctx: Context) -> bool:
    """``c = SimpleCookie()`` (http.cookies), so ``c["id"] = v`` makes a Morsel."""
    found = ctx.lookup(jar.value)
    if found is None:
        return False
    for binding in found[1]:
        value = binding.value
        if (
            binding.kind == "assign"
            and isinstance(value, cst.Call)
            and short_name(ctx.callee(value)) in _COOKIE_FACTORIES
        ):
            return True
    return False


def _morsel_flags(ctx: Context, jar: str) -> _Flags:
    """The ``jar[k]["secure"]``/``["httponly"]`` settings anywhere in the enclosing scope,
    also through a name that holds the Morsel (``morsel = jar[k]; morsel["secure"] = True``)."""
    found: dict[str, bool | None] = {}
    scope = ctx.function.node if ctx.function is not None else ctx.module
    assignments = _assignments(scope)
    morsels = {
        target.value
        for statement in assignments
        for target in (t.target for t in statement.targets)
        if isinstance(target, cst.Name)
        and isinstance(statement.value, cst.Subscript)
        and isinstance(statement.value.value, cst.Name)
        and statement.value.value.value == jar
    }
    slots = [
        (t.target, statement.value)
        for statement in assignments
        for t in statement.targets
        if isinstance(t.target, cst.Subscript)
    ]
    for target, value in slots:
        holder = target.value
        if isinstance(holder, cst.Subscript):
            holder = holder.value
            if not (isinstance(holder, cst.Name) and holder.value == jar):
                continue
        elif not (isinstance(holder, cst.Name) and holder.value in morsels):
            continue
        flag = slot_key(target, ctx)
        if isinstance(flag, str) and flag.lower() in {"secure", "httponly"}:
            decided = constant_value(value, ctx)
            found[flag.lower()] = None if decided is UNDECIDED else bool(decided)
    return found.get("secure", False), found.get("httponly", False)


def _assignments(node: cst.CSTNode) -> list[cst.Assign]:
    """Every assignment statement under ``node``, down to expressions (where none can be)."""
    out: list[cst.Assign] = []
    stack: list[cst.CSTNode] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, cst.Assign):
            out.append(current)
        elif not isinstance(current, cst.BaseExpression):
            stack.extend(children(current))
    return out


_TRUSTED_SETTERS = frozenset({"set_signed_cookie", "set_secure_cookie"})


class TrustBoundaryViolation(Detector):
    """Request data is stored, unvalidated, where later code trusts what it reads.

    The session, ``flask.g`` and signed cookies are trusted stores: code that reads
    ``session["role"]`` back believes the server wrote it. Copying request data there
    without a check (``if role not in ROLES: abort(400)``, a cast, an allow-list lookup)
    lets the requester decide that value. Only TAINTED data counts; a value the dataflow
    cannot trace (a database row, a computed id) is the server's own.
    """

    id = "GL118"
    category = "trust-boundary-violation"
    cwe = 501
    severity = Severity.MEDIUM
    message = "request data is stored unvalidated in a trusted store (session, g, signed cookie)"
    VALID = (
        "from flask import request, session, abort\n@app.route('/r')\ndef r():\n"
        "    role = request.args['role']\n    if role not in ROLES:\n        abort(400)\n"
        "    session['role'] = role\n",
        "from flask import session\n@app.route('/login', methods=['POST'])\ndef login():\n"
        "    user = db.check(request.form['user'], request.form['pw'])\n"
        "    session['uid'] = user.id\n",
        "from flask import request, session\n@app.route('/p')\ndef p():\n"
        "    session['page'] = int(request.args['page'])\n",
    )
    INVALID = (
        Invalid(
            "from flask import request, session\n@app.route('/r')\ndef r():\n"
            "    session['role'] = request.args['role']\n",
            line=4,
        ),
        Invalid(
            "from flask import g, request\n@app.before_request\ndef who():\n"
            "    g.user = request.headers.get('X-User')\n",
            line=4,
        ),
        Invalid(
            "def remember(request, response):\n"
            "    response.set_signed_cookie('user', request.GET['user'])\n",
            line=2,
        ),
        Invalid(
            "def login(request):\n    request.session['is_admin'] = request.POST.get('admin')\n",
            line=2,
        ),
    )

    def visit_Assign(self, node: cst.Assign, ctx: Context) -> None:
        for target in node.targets:
            if _trusted_slot(target.target, ctx):
                unsafe = classify(node.value, ctx) is Level.TAINTED
                ctx.judge(
                    self, node, unsafe, "the stored value is validated or not from the request"
                )
                return

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        func = node.func
        if not isinstance(func, cst.Attribute):
            return
        if func.attr.value in _TRUSTED_SETTERS:
            value = argument(node, 1, "value")
        elif func.attr.value in {"update", "setdefault"} and _is_session(func.value, ctx):
            value = argument(node, 1 if func.attr.value == "setdefault" else 0)
        else:
            return
        if value is not None and classify(value, ctx) is Level.TAINTED:
            self.report(ctx, node)


def _is_session(expr: cst.BaseExpression, ctx: Context) -> bool:
    """``session`` (flask's), ``request.session`` (Django) or ``self.session``."""
    if isinstance(expr, cst.Name):
        return (ctx.qualname(expr) or "") in {"flask.session", "session"}
    return isinstance(expr, cst.Attribute) and expr.attr.value == "session"


def _trusted_slot(target: cst.BaseExpression, ctx: Context) -> bool:
    if isinstance(target, cst.Subscript):
        return _is_session(target.value, ctx)
    if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name):
        return (ctx.qualname(target.value) or "") in {"flask.g", "g"} and (
            target.value.value == "g"
        )
    return False


_RESPONSE_BODIES = frozenset(
    {
        "flask.make_response",
        "make_response",
        "flask.Response",
        "django.http.HttpResponse",
        "HttpResponse",
        "werkzeug.wrappers.Response",
        "fastapi.responses.HTMLResponse",
        "starlette.responses.HTMLResponse",
        "HTMLResponse",
    }
)
_NOT_HTML = ("json", "text/plain", "text/csv", "octet-stream", "image/", "xml")


class ReflectedResponse(Detector):
    """A response body (not only HTML-looking text) is request data, sent as text/html.

    Flask's ``make_response(body)`` and ``Response(body)``, Django's ``HttpResponse(body)``
    and a string returned from a Flask ``@route`` are served as ``text/html``; request
    data in them is reflected XSS even when no tag is in sight (``"Hello " + name``). A
    response that declares another type (``mimetype="application/json"``, a
    ``Content-Type`` header) is not HTML, and ``escape`` keeps the value text.
    """

    id = "GL119"
    category = "xss"
    cwe = 79
    severity = Severity.HIGH
    message = "request data is sent back in a text/html response without escaping"
    VALID = (
        "from flask import request, make_response, escape\n@app.route('/hi')\ndef hi():\n"
        "    return make_response('Hello ' + escape(request.args['n']))\n",
        "import json\nfrom flask import request, make_response\n@app.route('/j')\ndef j():\n"
        "    data = json.loads(request.data)\n"
        "    return make_response(json.dumps(data), 200, {'Content-Type': 'application/json'})\n",
        "from flask import request, Response\n@app.route('/t')\ndef t():\n"
        "    return Response(request.args['q'], mimetype='text/plain')\n",
        "@app.get('/echo')\ndef echo(q: str):\n    return q\n",
    )
    INVALID = (
        Invalid(
            "from flask import request, make_response\n@app.route('/hi')\ndef hi():\n"
            "    name = request.args.get('name', '')\n    return make_response('Hello ' + name)\n",
            line=5,
        ),
        Invalid(
            "from flask import request\n@app.route('/echo')\ndef echo():\n"
            "    return 'You searched for ' + request.args['q']\n",
            line=4,
        ),
        Invalid(
            "from django.http import HttpResponse\ndef hi(request):\n"
            "    return HttpResponse(request.GET.get('name'))\n",
            line=3,
        ),
    )

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        if ctx.callee(node) not in _RESPONSE_BODIES:
            return
        body = argument(node, 0, "response", "content", "body")
        if body is None or _declares_other_type(node):
            return
        unsafe = classify(body, ctx, "html") is Level.TAINTED
        ctx.judge(self, node, unsafe, "the body holds no request data, or escapes it", body)

    def visit_Return(self, node: cst.Return, ctx: Context) -> None:
        function = ctx.function
        if node.value is None or function is None or not _flask_route(function.node):
            return
        value = node.value
        if isinstance(value, cst.Tuple) and value.elements:
            value = value.elements[0].value
        if isinstance(value, cst.Call):
            return  # a response object or a helper: judged at the call, if at all
        if classify(value, ctx, "html") is Level.TAINTED:
            self.report(ctx, node)


def _declares_other_type(call: cst.Call) -> bool:
    for arg in call.args:
        texts: list[str] = []
        if arg.keyword is not None and arg.keyword.value in {"mimetype", "content_type"}:
            texts = string_parts(arg.value)
        elif isinstance(arg.value, cst.Dict):
            for element in arg.value.elements:
                if (
                    isinstance(element, cst.DictElement)
                    and "content-type" in " ".join(string_parts(element.key)).lower()
                ):
                    texts = string_parts(element.value)
        if any(marker in text.lower() for text in texts for marker in _NOT_HTML):
            return True
    return False


def _flask_route(node: cst.CSTNode) -> bool:
    if not isinstance(node, cst.FunctionDef):
        return False
    for decorator in node.decorators:
        expr = decorator.decorator
        expr = expr.func if isinstance(expr, cst.Call) else expr
        if isinstance(expr, cst.Attribute) and expr.attr.value == "route":
            return True
    return False
