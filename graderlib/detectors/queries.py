"""Query languages other than SQL (XPath, LDAP) and XML parsers that resolve external entities.

An XPath expression or an LDAP filter built from request data lets the requester rewrite the
query, exactly as SQL injection does; the fix is the same too: pass the value as a variable
(``xpath("//u[@n=$n]", n=name)``) or escape it (``escape_filter_chars``). ``search`` and
``find`` are common method names, so these detectors flag request data (TAINTED) only, and
``search`` only in a file that imports an LDAP library.

XXE is a property of the parser's configuration, not of an import: ``import lxml.etree`` is
harmless, ``etree.XMLParser(resolve_entities=True)`` on uploaded XML is not. lxml resolves
entities unless told not to; ``xml.sax`` fetches external ones once ``feature_external_ges`` is
switched on; ``minidom``, ``pulldom`` and ``sax`` expand a DTD's entities, so a document from
outside reaching them is a finding too. ``defusedxml`` is the fix.
"""

from __future__ import annotations

import libcst as cst

from graderlib.detectors.base import Detector, Invalid
from graderlib.detectors.calls import argument, is_constant, keyword
from graderlib.detectors.dataflow import Level, classify
from graderlib.detectors.walk import Context
from graderlib.taxonomy import Severity

_XPATH_CALLS = frozenset(
    {
        "lxml.etree.XPath",
        "lxml.etree.ETXPath",
        "elementpath.select",
        "elementpath.iter_select",
        "elementpath.Selector",
    }
)
_XPATH_METHODS = frozenset({"xpath", "find", "findall", "findtext", "iterfind"})
_XML_LIBRARIES = ("lxml", "xml.", "elementpath", "defusedxml")


class XPathInjection(Detector):
    """An XPath expression built from request data reaches lxml, elementpath or ElementTree.

    The requester can close the quoted value and add predicates (``' or '1'='1``), reading
    nodes they should not. XPath variables (``tree.xpath("//u[@n=$n]", n=name)``) keep the
    value a value. Only request data counts, since ``find`` and ``xpath`` with a path built
    from the program's own constants are everywhere; ``find`` only in a file that imports an
    XML library, so a dict-like ``.find`` never fires.
    """

    id = "GL105"
    category = "xpath-injection"
    cwe = 643
    severity = Severity.HIGH
    message = "an XPath expression is built from request data; pass it as an XPath variable"
    VALID = (
        "from lxml import etree\nfrom flask import request\n@app.route('/u')\ndef u():\n"
        "    tree = etree.parse('users.xml')\n"
        "    return str(tree.xpath('//user[@name=$name]', name=request.args['name']))\n",
        "import xml.etree.ElementTree as ET\nfrom flask import request\n@app.route('/u')\n"
        "def u():\n    root = ET.parse('users.xml').getroot()\n"
        "    return root.findtext('./user/name')\n",
    )
    INVALID = (
        Invalid(
            "from lxml import etree\nfrom flask import request\n@app.route('/u')\ndef u():\n"
            "    tree = etree.parse('users.xml')\n    name = request.args['name']\n"
            "    return str(tree.xpath(f\"//user[@name='{name}']\"))\n",
            line=7,
        ),
        Invalid(
            "from lxml import etree\nfrom flask import request\n@app.route('/u')\ndef u():\n"
            "    find = etree.XPath(\"//user[@id='%s']\" % request.args['id'])\n"
            "    return str(find(etree.parse('users.xml')))\n",
            line=5,
        ),
        Invalid(
            "import xml.etree.ElementTree as ET\nfrom flask import request\n@app.route('/u')\n"
            "def u():\n    root = ET.parse('users.xml').getroot()\n"
            "    return root.find('./user[@name=\"' + request.args['n'] + '\"]').text\n",
            line=6,
        ),
    )

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        callee = ctx.callee(node)
        if callee in _XPATH_CALLS:
            path = argument(node, 1 if callee.startswith("elementpath.") else 0, "path")
        elif isinstance(node.func, cst.Attribute) and node.func.attr.value in _XPATH_METHODS:
            if node.func.attr.value != "xpath" and not _imports(ctx, _XML_LIBRARIES):
                return
            path = argument(node, 0, "_path", "path", "match")
        else:
            return
        if path is not None and not isinstance(path, cst.SimpleString):
            unsafe = classify(path, ctx, "any") is Level.TAINTED
            ctx.judge(self, node, unsafe, "the XPath is not built from request data", path)


_LDAP_SEARCHES = frozenset(
    {"search", "search_s", "search_st", "search_ext", "search_ext_s", "paged_search"}
)
_LDAP_LIBRARIES = ("ldap", "ldap3")


class LdapInjection(Detector):
    """An LDAP search filter or base DN is built from request data without escaping.

    ``(uid=` + name + `)`` with ``name = "*)(uid=*"`` matches every user. python-ldap's
    ``search_s(base, scope, filterstr)`` and ldap3's ``search(search_base, search_filter)``
    are the sinks; ``escape_filter_chars`` (filters) and ``escape_rdn`` / ``escape_dn_chars``
    (DNs) are the sanitisers. Only a file that imports ``ldap`` or ``ldap3`` is examined.
    """

    id = "GL106"
    category = "ldap-injection"
    cwe = 90
    severity = Severity.HIGH
    message = "an LDAP filter or DN is built from request data; escape it (escape_filter_chars)"
    VALID = (
        "import ldap3\nfrom ldap3.utils.conv import escape_filter_chars\n"
        "from flask import request\n@app.route('/u')\ndef u():\n"
        "    conn = ldap3.Connection(ldap3.Server('ldap://x'), auto_bind=True)\n"
        "    f = '(uid={})'.format(escape_filter_chars(request.args['u']))\n"
        "    return str(conn.search('dc=example,dc=org', f))\n",
        "import ldap\n@app.route('/u')\ndef u():\n"
        "    conn = ldap.initialize('ldap://x')\n"
        "    return str(conn.search_s('dc=example', ldap.SCOPE_SUBTREE, '(objectClass=person)'))\n",
    )
    INVALID = (
        Invalid(
            "import ldap\nfrom flask import request\n@app.route('/u')\ndef u():\n"
            "    conn = ldap.initialize('ldap://x')\n"
            "    f = '(uid=' + request.args['u'] + ')'\n"
            "    return str(conn.search_s('dc=example', ldap.SCOPE_SUBTREE, f))\n",
            line=7,
        ),
        Invalid(
            "import ldap3\nfrom flask import request\n@app.route('/u')\ndef u():\n"
            "    dn = 'dc={}'.format(request.args['dc'])\n"
            "    conn = ldap3.Connection(ldap3.Server('ldap://x'), auto_bind=True)\n"
            "    conn.search(dn, '(objectClass=person)')\n",
            line=7,
        ),
    )

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        func = node.func
        if not isinstance(func, cst.Attribute) or func.attr.value not in _LDAP_SEARCHES:
            return
        if not _imports(ctx, _LDAP_LIBRARIES):
            return
        base = argument(node, 0, "base", "search_base")
        python_ldap = func.attr.value != "search" and func.attr.value != "paged_search"
        query = argument(node, 2 if python_ldap else 1, "filterstr", "search_filter")
        for part in (base, query):
            if part is not None and classify(part, ctx, "ldap") is Level.TAINTED:
                self.report(ctx, node)
                return
        ctx.clear(type(self), node, "the filter and DN are constant or escaped")


def _imports(ctx: Context, prefixes: tuple[str, ...]) -> bool:
    return any(
        target == p.rstrip(".") or target.startswith(p if p.endswith(".") else f"{p}.")
        for target in ctx.imports.values()
        for p in prefixes
    )


_LXML_PARSES = frozenset(
    {"lxml.etree.parse", "lxml.etree.fromstring", "lxml.etree.XML", "lxml.etree.iterparse"}
)


class XmlExternalEntities(Detector):
    """An XML parser is configured to resolve external entities (XXE).

    lxml resolves entities by default, so ``etree.XMLParser(resolve_entities=True)`` or
    ``no_network=False`` and lxml's parse functions on a value from the request are findings;
    ``XMLParser(resolve_entities=False)`` and ``defusedxml`` are not. ``xml.sax`` becomes
    vulnerable once ``setFeature(feature_external_ges, True)`` is called; ``minidom``,
    ``pulldom`` and ``sax`` parsing a document that is not a constant expand its DTD's
    entities. Imports, which bandit flags, are not findings (see ``consensus``); ElementTree
    parses are left to bandit's judgement.
    """

    id = "GL203"
    category = "xxe"
    cwe = 611
    severity = Severity.HIGH
    message = "an XML parser resolves external entities (XXE); use defusedxml or disable them"
    VALID = (
        "from lxml import etree\nparser = etree.XMLParser(resolve_entities=False)\n"
        "def load(data):\n    return etree.fromstring(data, parser)\n",
        "import defusedxml.ElementTree as ET\nfrom flask import request\n@app.route('/x')\n"
        "def x():\n    return ET.fromstring(request.data).tag\n",
        "from xml.dom import minidom\nDOC = minidom.parseString('<a/>')\n",
    )
    INVALID = (
        Invalid(
            "from lxml import etree\nparser = etree.XMLParser(resolve_entities=True)\n", line=2
        ),
        Invalid(
            "import xml.sax\nfrom xml.sax.handler import feature_external_ges\n"
            "parser = xml.sax.make_parser()\nparser.setFeature(feature_external_ges, True)\n",
            line=4,
        ),
        Invalid(
            "from lxml import etree\nfrom flask import request\n@app.route('/x')\ndef x():\n"
            "    return etree.fromstring(request.get_data()).tag\n",
            line=5,
        ),
        Invalid(
            "from xml.dom import minidom\ndef load(blob):\n    return minidom.parseString(blob)\n",
            line=3,
        ),
    )

    def visit_Call(self, node: cst.Call, ctx: Context) -> None:
        callee = ctx.callee(node)
        if callee == "lxml.etree.XMLParser":
            resolve = keyword(node, "resolve_entities")
            network = keyword(node, "no_network")
            unsafe = (resolve is not None and not is_constant(resolve.value, "False")) or (
                network is not None and is_constant(network.value, "False")
            )
            ctx.judge(self, node, unsafe, "the parser does not resolve entities")
        elif callee in _LXML_PARSES:
            parser = argument(node, 1, "parser")
            data = argument(node, 0, "source", "text")
            unsafe = parser is None and classify(data, ctx) is Level.TAINTED
            ctx.judge(self, node, unsafe, "the XML is not from the request, or the parser is safe")
        elif isinstance(node.func, cst.Attribute) and node.func.attr.value == "setFeature":
            feature = argument(node, 0)
            value = argument(node, 1)
            name = ctx.qualname(feature) or ""
            if name.endswith("feature_external_ges") and is_constant(value, "True"):
                self.report(ctx, node)
        elif callee.startswith(_DOM_PARSERS) and _parses(callee):
            data = argument(node, 0, "file", "string", "source")
            unsafe = data is not None and classify(data, ctx) is not Level.SAFE
            ctx.judge(self, node, unsafe, "the parsed document is a constant", data)
        elif callee.startswith("defusedxml.") and _parses(callee):
            ctx.clear(type(self), node, "defusedxml refuses entities and DTDs")


# DOM/SAX entry points that build on expat with DTD processing: entity expansion (and, for
# sax with feature_external_ges, external entities) on a document from outside.
_DOM_PARSERS = ("xml.dom.minidom.", "xml.dom.pulldom.", "xml.sax.parse", "xml.sax.parseString")


def _parses(callee: str) -> bool:
    return callee.rsplit(".", 1)[-1] in {
        "parse",
        "parseString",
        "fromstring",
        "XML",
        "iterparse",
        "make_parser",
        "XMLParser",
    }
