"""The dataflow rules real code needs, one example each (the README's dataflow paragraph)."""

from __future__ import annotations

import pytest

from graderlib.detectors import scan

CASES = [
    # constant folding: a branch decided by constants (a local holding one too) is dead
    (
        "MODE = 'prod'\ndef run(cur, name):\n    q = 'SELECT 1'\n    if MODE == 'dev':\n"
        "        q = 'SELECT ' + name\n    cur.execute(q)\n",
        set(),
    ),
    (
        "def run(cur, name):\n    flag = 0\n    q = 'SELECT 1'\n    if flag:\n"
        "        q = 'SELECT ' + name\n    cur.execute(q)\n",
        set(),
    ),
    (
        "def run(cur, name, flag):\n    q = 'SELECT 1'\n    if flag:\n"
        "        q = 'SELECT ' + name\n    cur.execute(q)\n",
        {"GL101"},
    ),
    # per-slot tracking of list/dict literals, constant-index reads and writes
    (
        "from flask import request\nimport os\n@app.route('/a')\ndef a():\n"
        "    xs = [request.args['p'], 'ls']\n    os.system(xs[1])\n",
        set(),
    ),
    (
        "from flask import request\nimport os\n@app.route('/a')\ndef a():\n"
        "    xs = ['ls', 'x']\n    xs[1] = request.args['p']\n    os.system(xs[1])\n",
        {"GL102"},
    ),
    (
        "from flask import request\nimport os\n@app.route('/a')\ndef a():\n"
        "    d = {'a': request.args['p'], 'b': 'ls'}\n    os.system(d['b'])\n",
        set(),
    ),
    # same-file function summaries: sources, pass-through helpers, sanitisers, constants
    (
        "from flask import request\nimport os\ndef source():\n"
        "    return request.args.get('p', '')\n"
        "def normalize(x):\n    return os.path.normpath(x)\n@app.route('/a')\ndef a():\n"
        "    open(normalize(source()))\n",
        {"GL110"},
    ),
    (
        "import shlex, os\ndef clean(x):\n    return shlex.quote(x)\ndef run(name):\n"
        "    os.system('ls ' + clean(name))\n",
        set(),
    ),
    (
        "def base():\n    return 'SELECT * FROM t'\ndef run(cur):\n"
        "    cur.execute(base() + ' WHERE a = 1')\n",
        set(),
    ),
    # string methods: format/+= carry taint, counts and tests do not
    (
        "def run(cur, name):\n    cur.execute('SELECT * FROM t LIMIT %d' % name.count('a'))\n",
        set(),
    ),
    (
        "def run(cur, name):\n    q = 'SELECT * FROM t WHERE 1=1'\n"
        "    q += ' AND n = {}'.format(name)\n    cur.execute(q)\n",
        {"GL101"},
    ),
    # guard polarity: the else branch of a negative check is validated
    (
        "import requests\nfrom flask import request\n@app.route('/a')\ndef a():\n"
        "    url = request.args['u']\n    if not allowed(url):\n        return 'no'\n"
        "    else:\n        return requests.get(url, timeout=5).text\n",
        set(),
    ),
    # a path check that does not confine: '..' alone, or a prefix on an unnormalised path
    (
        "import os\nfrom flask import request\n@app.route('/a')\ndef a():\n"
        "    path = os.path.join('/srv', request.args['f'])\n    if '../' in path:\n"
        "        return 'no'\n    return open(path).read()\n",
        {"GL110"},
    ),
    (
        "import os\nfrom flask import request, abort\n@app.route('/a')\ndef a():\n"
        "    path = os.path.realpath(os.path.join('/srv', request.args['f']))\n"
        "    if not path.startswith('/srv/'):\n        abort(403)\n    return open(path).read()\n",
        set(),
    ),
    # sources: a tornado handler's path arguments
    (
        "import tornado.web\nclass Files(tornado.web.RequestHandler):\n    def get(self, name):\n"
        "        self.write(open('/srv/' + name).read())\n",
        {"GL110"},
    ),
    # sources: headers, cookies, get_data() and unquote of them
    (
        "import os\nfrom urllib.parse import unquote_plus\nfrom flask import request\n"
        "@app.route('/a')\ndef a():\n    return open(unquote_plus(request.cookies['d'])).read()\n",
        {"GL110"},
    ),
]


@pytest.mark.parametrize(("code", "expected"), CASES)
def test_dataflow_rule(code: str, expected: set[str]) -> None:
    result = scan(code, ("graderlib",))
    assert result.tool_errors == ()
    found = {
        r for f in result.findings for r in f.rule_ids if r in {"GL101", "GL102", "GL110", "GL111"}
    }
    assert found == expected


def test_summaries_of_recursive_and_deeply_chained_helpers_terminate() -> None:
    code = "from flask import request\ndef f0():\n    return request.args['x']\n"
    code += "".join(f"def f{i}():\n    return f{i - 1}()\n" for i in range(1, 60))
    code += "def a(x):\n    return b(x)\ndef b(x):\n    return a(x)\n"
    code += "@app.route('/')\ndef h():\n    open(f2())\n    open(f59())\n    open(a('/tmp/x'))\n"
    result = scan(code, ("graderlib",))
    assert result.tool_errors == ()
    lines = sorted(f.span.start for f in result.findings if "GL110" in f.rule_ids)
    # f2() is followed to the request; f59() is beyond the depth followed; a() is recursive
    assert lines == [code.count("\n") - 2]
