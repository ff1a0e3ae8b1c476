"""Injection: SQL, OS command and code built from data that is not known to be constant.

These sinks are dangerous because of how their argument is *built*, so they flag anything the
dataflow cannot prove SAFE: a helper's parameter formatted into a query is a finding even if
no request is in sight. A value reassigned to a constant, cast with ``int`` or checked against
an allow-list before the sink is not.
"""

from __future__ import annotations

import re

import libcst as cst

from graderlib.detectors.base import Detector, Invalid
from graderlib.detectors.calls import argument, is_constant, keyword, short_name
from graderlib.detectors.dataflow import Level, classify, is_formatted, string_parts
from graderlib.detectors.tree import name_reads
from graderlib.detectors.walk import Context
from graderlib.taxonomy import Severity

_SQL_METHODS = frozenset(
    {"execute", "executemany", "executescript", "raw", "extra", "exec_driver_sql"}
)
_SQL_FUNCTIONS = frozenset(
    {
        "sqlalchemy.text",
        "sqlalchemy.sql.text",
        "sqlalchemy.sql.expression.text",
        "sqlalchemy.sql.expression.TextClause",
        "sqlalchemy.TextClause",
        "db.text",
        "pandas.read_sql",
        "pandas.read_sql_query",
        "django.db.models.expressions.RawSQL",
        "django.db.models.RawSQL",
    }
)


#: bandit's B608 test for text that reads like SQL
_SQL_TEXT = re.compile(
    r"(select\s.*from\s|delete\s+from\s|insert\s+into\s.*values[\s(]|update\s.*set\s)",
    re.IGNORECASE | re.DOTALL,
)
_LOG_METHODS = frozenset(
    {"debug", "info", "warning", "warn", "error", "exception", "critical", "log", "fatal"}
)
_A_MESSAGE = "the SQL-looking text is a message (logged, printed or raised), never executed"


def _sql_like(expr: cst.BaseExpression, ctx: Context) -> bool:
    return is_formatted(expr, ctx) and bool(_SQL_TEXT.search(" ".join(string_parts(expr))))


def _message_sink(call: cst.Call) -> bool:
    """``log.warning(...)``, ``logging.info(...)``, ``print(...)``, ``ValueError(...)``."""
    func = call.func
    if isinstance(func, cst.Attribute):
        receiver = func.value
        spelled = receiver.attr.value if isinstance(receiver, cst.Attribute) else ""
        spelled = receiver.value if isinstance(receiver, cst.Name) else spelled
        return func.attr.value in _LOG_METHODS and "log" in spelled.lower()
    if isinstance(func, cst.Name):
        return func.value == "print" or func.value.endswith(("Error", "Exception", "Warning"))
    return False


def _read_by_message_sink(path: list[cst.CSTNode]) -> bool:
    """The innermost call around a read of a name is a message sink (log, print, raise)."""
    for ancestor in path:
        if isinstance(ancestor, cst.Call):
            return _message_sink(ancestor)
        if isinstance(ancestor, cst.BaseStatement):
            return False
    return False


class SqlInjection(Detector):
    """A SQL statement built by formatting (``%``, ``+``, ``.format``, f-strings) is executed.

    The query's construction is the danger, whoever supplies the value, so anything the
    dataflow cannot prove SAFE is flagged: a helper's parameter formatted into ``execute``
    counts. Module constants (``TABLE``), casts (``int(uid)``) and allow-list lookups
    (``COLUMNS[key]``) are SAFE; a query with placeholders passed with bound parameters is
    not formatted at all. Sinks: DB-API ``execute*``, Django ``raw``/``extra``, SQLAlchemy
    ``text``, pandas ``read_sql``.
    """

    id = "GL101"
    category = "sql-injection"
    cwe = 89
    severity = Severity.CRITICAL
    message = "SQL built by formatting non-constant data is executed; use bound parameters"
    VALID = (
        "def find(cur, name):\n    cur.execute('SELECT * FROM u WHERE name = ?', (name,))\n",
        "def find(cur, name):\n    q = f'SELECT * FROM u WHERE name = {name}'\n"
        "    q = 'SELECT * FROM u WHERE name = ?'\n    cur.execute(q, (name,))\n",
        "TABLE = 'users'\ndef find(cur, uid):\n"
        "    cur.execute(f'SELECT * FROM {TABLE} WHERE id = ?', (uid,))\n",
        "COLUMNS = {'name': 'name', 'age': 'age'}\ndef order(cur, key):\n"
        "    cur.execute('SELECT * FROM u ORDER BY %s' % COLUMNS[key])\n",
        "def find(cur, uid):\n    cur.execute('SELECT * FROM u WHERE id = %d' % int(uid))\n",
        "def drop(log, account_id, user):\n"
        "    message = 'DELETE from account %s refused for %s' % (account_id, user)\n"
        "    log.warning(message)\n",
    )
    INVALID = (
        Invalid(
            "def find(cur, name):\n    cur.execute(f\"SELECT * FROM u WHERE name = '{name}'\")\n",
            line=2,
        ),
        Invalid(
            "def find(cur, name):\n    q = \"SELECT * FROM u WHERE name = '%s'\" % name\n"
            "    cur.execute(q)\n",
            line=3,
        ),
        Invalid(
            "def find(db, name):\n    q = 'SELECT * FROM u WHERE 1=1'\n"
            "    q += ' AND name = ' + name\n"
            "    return db.execute(q)\n",
            line=4,
        ),
        Invalid(
            "from sqlalchemy import text\ndef find(conn, n):\n"
            "    return conn.execute(text('SELECT * FROM u WHERE n = {}'.format(n)))\n",
            line=3,
        ),
    )

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        callee = ctx.callee(node)
        is_method = isinstance(node.func, cst.Attribute) and node.func.attr.value in _SQL_METHODS
        if not (is_method or callee in _SQL_FUNCTIONS):
            if _message_sink(node) and any(_sql_like(a.value, ctx) for a in node.args):
                ctx.clear(type(self), node, _A_MESSAGE)
            return
        query = argument(node, 0, "sql", "query", "statement", "operation", "raw_query", "text")
        if query is None or (isinstance(query, cst.Call) and ctx.callee(query) in _SQL_FUNCTIONS):
            return  # text(...) inside execute(...) is judged once, at text()
        level = classify(query, ctx, "sql")
        # A formatted query is judged by its construction; a whole query from the request too.
        unsafe = (is_formatted(query, ctx) and level is not Level.SAFE) or level is Level.TAINTED
        ctx.judge(self, node, unsafe, "the query is constant or bound by parameters", query)

    def visit_Assign(self, node: cst.Assign, ctx: Context) -> None:
        """``msg = "DELETE from account %s refused" % uid`` then ``log.warning(msg)``: text
        that reads like SQL (bandit's B608 flags it) but is only logged, printed or raised."""
        target = node.targets[0].target if len(node.targets) == 1 else None
        if not isinstance(target, cst.Name) or not _sql_like(node.value, ctx):
            return
        scope = ctx.function.node if ctx.function is not None else ctx.module
        reads = name_reads(scope).get(target.value, [])
        if reads and all(_read_by_message_sink(path) for path in reads):
            ctx.clear(type(self), node, _A_MESSAGE)


_SHELL_CALLS = frozenset(
    {
        "os.system",
        "os.popen",
        "os.popen2",
        "os.popen3",
        "os.popen4",
        "subprocess.getoutput",
        "subprocess.getstatusoutput",
        "commands.getoutput",
        "commands.getstatusoutput",
        "asyncio.create_subprocess_shell",
        "platform.popen",
        "pty.spawn",
    }
)
_PROCESS_CALLS = frozenset(
    {
        "subprocess.run",
        "subprocess.call",
        "subprocess.check_call",
        "subprocess.check_output",
        "subprocess.Popen",
        "asyncio.create_subprocess_exec",
    }
)
_SHELLS = frozenset({"sh", "bash", "/bin/sh", "/bin/bash", "zsh", "cmd", "cmd.exe", "powershell"})


class CommandInjection(Detector):
    """A shell runs a command string built from data the dataflow cannot prove constant.

    ``os.system``, ``os.popen``, ``subprocess.*(..., shell=True)`` and ``['sh', '-c', cmd]``
    hand their string to a shell, where ``;`` and ``$(...)`` in a value run commands. An
    argument list without a shell passes values as single arguments and is not a finding;
    ``shlex.quote`` makes a value one shell word.
    """

    id = "GL102"
    category = "command-injection"
    cwe = 78
    severity = Severity.CRITICAL
    message = "a shell runs a command built from non-constant data; pass an argument list"
    VALID = (
        "import subprocess\ndef ls(path):\n    subprocess.run(['ls', '-l', path], check=True)\n",
        "import os\nos.system('make clean')\n",
        "import subprocess, shlex\ndef ls(path):\n"
        "    subprocess.run('ls -l ' + shlex.quote(path), shell=True)\n",
        "import subprocess\nsubprocess.run('ls -l /var/log', shell=True)\n",
    )
    INVALID = (
        Invalid(
            "import subprocess\ndef ping(host):\n"
            "    subprocess.run(f'ping -c 1 {host}', shell=True)\n",
            line=3,
        ),
        Invalid("import os\ndef rm(name):\n    os.system('rm -rf /tmp/' + name)\n", line=3),
        Invalid(
            "from os import popen\ndef grep(p):\n    return popen('grep %s log' % p).read()\n",
            line=3,
        ),
        Invalid(
            "import subprocess\ndef run(cmd):\n    subprocess.check_output(['sh', '-c', cmd])\n",
            line=3,
        ),
    )

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        callee = ctx.callee(node)
        if callee in _SHELL_CALLS:
            command = argument(node, 0, "cmd", "command")
        elif callee in _PROCESS_CALLS or (
            keyword(node, "shell") is not None and short_name(callee) in {"Popen", "run", "call"}
        ):
            shell = keyword(node, "shell")
            command = argument(node, 0, "args")
            if shell is None or is_constant(shell.value, "False"):
                program = _program(command)
                if program is not None and classify(program, ctx, "shell") is Level.TAINTED:
                    self.report(ctx, node)  # the requester chooses which program runs
                    return
                command = _shell_c_command(command)
        else:
            return
        unsafe = command is not None and classify(command, ctx, "shell") is not Level.SAFE
        ctx.judge(self, node, unsafe, "no shell, or a constant/quoted command", command)


def _program(argv: cst.BaseExpression | None) -> cst.BaseExpression | None:
    """What names the program: a whole command string, or an argument list's first item."""
    if isinstance(argv, cst.List | cst.Tuple):
        first = argv.elements[0] if argv.elements else None
        return first.value if first is not None else None
    return argv


def _shell_c_command(argv: cst.BaseExpression | None) -> cst.BaseExpression | None:
    """The command string of ``['sh', '-c', cmd]``; None for an ordinary argument list."""
    if not isinstance(argv, cst.List | cst.Tuple) or len(argv.elements) < 3:
        return None
    head, flag = argv.elements[0].value, argv.elements[1].value
    if not (isinstance(head, cst.SimpleString) and isinstance(flag, cst.SimpleString)):
        return None
    if head.evaluated_value in _SHELLS and flag.evaluated_value in {"-c", "/c", "-Command"}:
        return argv.elements[2].value
    return None


class CodeInjection(Detector):
    """``eval`` or ``exec`` (the builtins, not a shadowing local) runs non-constant text.

    Any text that is not a constant can carry ``__import__('os').system(...)``; parsing the
    data instead (``ast.literal_eval``, ``json.loads``) gives the same values without running
    them. A local reassigned to a literal before the call is SAFE.
    """

    id = "GL103"
    category = "code-injection"
    cwe = 95
    severity = Severity.CRITICAL
    message = "eval/exec runs non-constant text; parse it (ast.literal_eval, json) instead"
    VALID = (
        "import ast\ndef parse(text):\n    return ast.literal_eval(text)\n",
        "exec('import os')\n",
        "def f(x):\n    x = '1 + 1'\n    return eval(x)\n",
    )
    INVALID = (
        Invalid("def calc(expr):\n    return eval(expr)\n", line=2),
        Invalid("from flask import request\ndef run():\n    exec(request.form['code'])\n", line=3),
    )

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        if not isinstance(node.func, cst.Name) or node.func.value not in {"eval", "exec"}:
            return
        if node.func.value in ctx.imports or ctx.lookup(node.func.value) is not None:
            return  # shadowed: not the builtin
        code = argument(node, 0, "source")
        if code is not None:
            unsafe = classify(code, ctx, "code") is not Level.SAFE
            ctx.judge(self, node, unsafe, "the evaluated text is constant", code)


_TEMPLATE_FROM_STRING = frozenset(
    {"flask.render_template_string", "render_template_string", "jinja2.Template", "Template"}
)


class TemplateInjection(Detector):
    """A template is compiled from request data (server-side template injection).

    ``render_template_string(f"...{request.args['n']}")`` lets the requester write Jinja
    syntax that runs on the server (``{{ config }}``, object traversal to ``os``). Passing the
    value as a template variable (``render_template_string(TEMPLATE, name=...)``) keeps it
    data; only TAINTED template text is flagged.
    """

    id = "GL104"
    category = "code-injection"
    cwe = 94
    severity = Severity.CRITICAL
    message = "a template is built from request data (server-side template injection)"
    VALID = (
        "from flask import render_template_string, request\n@app.route('/')\ndef hi():\n"
        "    return render_template_string('<p>{{ name }}</p>', name=request.args['n'])\n",
    )
    INVALID = (
        Invalid(
            "from flask import render_template_string, request\n@app.route('/')\ndef hi():\n"
            "    return render_template_string(f\"<p>{request.args['n']}</p>\")\n",
            line=4,
        ),
    )

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        if ctx.callee(node) not in _TEMPLATE_FROM_STRING:
            return
        source = argument(node, 0, "source")
        if source is not None:
            unsafe = classify(source, ctx, "code") is Level.TAINTED
            ctx.judge(self, node, unsafe, "the template text is not from the request", source)
