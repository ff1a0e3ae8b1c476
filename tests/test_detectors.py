"""Every detector proves itself on its own examples; adapters map every id of their tool."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from graderlib.detectors import all_detectors, scan
from graderlib.detectors.bandit import bandit_test_ids, category_for, run_bandit
from graderlib.detectors.base import Detector, Invalid, normalized_code
from graderlib.detectors.positions import PositionResolver
from graderlib.detectors.ruff import run_ruff
from graderlib.taxonomy import default_taxonomy

FIXTURE = Path(__file__).parent / "fixtures" / "detectors" / "vulnerable_app.py"
DETECTORS = all_detectors()


def _examples(kind: str) -> list[tuple[type[Detector], int, Any]]:
    return [(d, i, code) for d in DETECTORS for i, code in enumerate(getattr(d, kind))]


def _ids(example: tuple[type[Detector], int, object]) -> str:
    return f"{example[0].id}-{example[1]}"


def _rule_ids(code: str) -> set[str]:
    result = scan(code, tools=("graderlib",))
    assert result.syntax_error is None and not result.tool_errors, result
    return {rule for finding in result.findings for rule in finding.rule_ids}


@pytest.mark.parametrize("example", _examples("INVALID"), ids=_ids)
def test_detector_flags_its_invalid_examples_on_the_stated_line(
    example: tuple[type[Detector], int, Invalid],
) -> None:
    detector, _, invalid = example
    result = scan(invalid.code, tools=("graderlib",))
    assert result.syntax_error is None and not result.tool_errors, result
    lines = sorted(f.span.start for f in result.findings if detector.id in f.rule_ids)
    assert invalid.line in lines, f"{detector.id} fired on {lines}, expected {invalid.line}"


def test_every_detector_explains_itself_in_a_docstring_paragraph() -> None:
    for detector in DETECTORS:
        doc = detector.__doc__ or ""
        assert doc and doc is not Detector.__doc__, f"{detector.id} has no docstring"
        assert len(doc.split()) >= 20, f"{detector.id}: one paragraph, not a label"


def test_readme_detector_table_matches_the_registry() -> None:
    readme = (Path(__file__).parents[1] / "README.md").read_text()
    rows = re.findall(r"^\| (GL\d{3}) \| `([a-z-]+)` \| CWE-(\d+) \|", readme, re.MULTILINE)
    registry = sorted((d.id, d.category, str(d.cwe)) for d in DETECTORS)
    assert sorted(rows) == registry


@pytest.mark.parametrize("example", _examples("VALID"), ids=_ids)
def test_detector_accepts_its_valid_examples(example: tuple[type[Detector], int, str]) -> None:
    detector, _, code = example
    assert detector.id not in _rule_ids(code)


def test_every_detector_declares_a_resolvable_category_cwe_and_unique_id() -> None:
    taxonomy = default_taxonomy()
    assert len({d.id for d in DETECTORS}) == len(DETECTORS) >= 25
    for detector in DETECTORS:
        assert taxonomy.try_resolve(detector.category) == detector.category
        assert detector.cwe > 0 and detector.message
        related = taxonomy.relation(taxonomy.resolve(f"CWE-{detector.cwe}"), detector.category)
        assert related > 0, detector.id


def test_every_bandit_test_id_maps_to_a_category() -> None:
    ids = bandit_test_ids()
    assert {"B101", "B301", "B413", "B608", "B615", "B704"} <= set(ids)
    unmapped = [tid for tid, (_, cwe) in ids.items() if category_for(tid, cwe) is None]
    assert unmapped == []


def test_real_bandit_run_produces_mapped_findings() -> None:
    findings = run_bandit(FIXTURE.read_text(), str(FIXTURE))
    by_rule = {f.rule_id: f for f in findings}
    assert by_rule["B608"].category == "sql-injection"
    assert by_rule["B602"].category == "command-injection"
    assert by_rule["B301"].category == "unsafe-deserialization"
    assert by_rule["B201"].category == "debug-mode"
    assert by_rule["B602"].cwe == 78  # bandit's own CWE is kept


def test_real_ruff_run_produces_mapped_findings() -> None:
    findings = run_ruff(FIXTURE.read_text(), str(FIXTURE))
    categories = {f.rule_id: f.category for f in findings}
    assert categories["S602"] == "command-injection"
    assert categories["E722"] == "swallowed-exception"
    assert categories["B006"] == "mutable-default-argument"
    assert categories["S501"] == "tls-verification-disabled"


def test_scan_merges_tools_on_the_same_statement() -> None:
    result = scan(FIXTURE.read_text(), path=str(FIXTURE))
    assert not result.tool_errors
    shell = [
        f for f in result.findings if f.category == "command-injection" and "GL102" in f.rule_ids
    ]
    assert len(shell) == 1
    assert {"GL102", "B602", "S602"} <= set(shell[0].rule_ids)
    assert shell[0].tool == "graderlib" and shell[0].tools[0] == "graderlib"
    assert (shell[0].span.start, shell[0].span.end) == (31, 34)  # the whole return statement
    sql = [f for f in result.findings if "GL101" in f.rule_ids]
    assert [(f.span.start, f.span.end, f.scope) for f in sql] == [(22, 22, "Repo.find_user")]
    # the parameterised query two methods below is not flagged by graderlib
    assert not any("GL101" in f.rule_ids and f.span.start == 25 for f in result.findings)


def test_lazy_positions_equal_whole_module_positions() -> None:
    source = FIXTURE.read_text()
    module = cst.parse_module(source)
    whole = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    resolver = PositionResolver(module, source)
    checked = 0
    for top in module.body:
        positions, offset = resolver.positions(top)
        stack: list[cst.CSTNode] = [top]
        while stack:
            node = stack.pop()
            if isinstance(node, cst.SimpleStatementLine | cst.Call | cst.Name):
                assert positions[node].start.line + offset == whole[node].start.line
                assert positions[node].end.line + offset == whole[node].end.line
                checked += 1
            stack.extend(node.children)
    assert checked > 100


def test_fingerprint_survives_reformatting_and_moving_but_not_a_code_change() -> None:
    original = "def find(cur, name):\n    cur.execute(f\"SELECT * FROM u WHERE n = '{name}'\")\n"
    moved = (
        "import os\n\n\n# a comment\ndef find(cur, name):\n    cur.execute(\n"
        "        f\"SELECT * FROM u WHERE n = '{name}'\",  # trailing\n    )\n"
    )
    changed = "def find(cur, name):\n    cur.execute(f\"SELECT * FROM u WHERE m = '{name}'\")\n"
    renamed_scope = (
        "def lookup(cur, name):\n    cur.execute(f\"SELECT * FROM u WHERE n = '{name}'\")\n"
    )

    def print_of(code: str) -> str:
        (finding,) = [f for f in scan(code, tools=("graderlib",)).findings]
        return finding.fingerprint

    assert print_of(original) == print_of(moved)
    assert print_of(original) != print_of(changed)
    assert print_of(original) != print_of(renamed_scope)


def test_normalized_code_ignores_quotes_whitespace_comments_and_trailing_commas() -> None:
    assert normalized_code("f( 'a' ,\n  b, )  # c") == normalized_code('f("a", b)')
    assert normalized_code("f(a)") != normalized_code("f(b)")


@pytest.mark.parametrize(
    ("code", "flagged"),
    [
        # reassigned to a constant before the sink: not flagged
        (
            "def f(c, x):\n    q = 'SELECT 1 WHERE a=' + x\n    q = 'SELECT 1'\n    c.execute(q)\n",
            False,
        ),
        # formatted into a variable, later executed: flagged
        ("def f(c, x):\n    q = 'SELECT 1 WHERE a=' + x\n    log(q)\n    c.execute(q)\n", True),
        # either branch may reach the sink: flagged
        (
            "def f(c, x, y):\n    if y:\n        q = 'SELECT 1'\n    else:\n"
            "        q = 'SELECT 1 WHERE a=%s' % x\n    c.execute(q)\n",
            True,
        ),
        # an allow-list guard that exits validates the value
        (
            "def f(c, col):\n    if col not in ('a', 'b'):\n        raise ValueError(col)\n"
            "    c.execute(f'SELECT {col} FROM t')\n",
            False,
        ),
        # a truthiness check validates nothing
        (
            "def f(c, col):\n    if not col:\n        raise ValueError(col)\n"
            "    c.execute(f'SELECT {col} FROM t')\n",
            True,
        ),
        # a loop over a constant allow-list gives constant values
        (
            "COLS = ['a', 'b']\ndef f(c):\n    for col in COLS:\n"
            "        c.execute(f'SELECT {col} FROM t')\n",
            False,
        ),
    ],
)
def test_sql_dataflow(code: str, flagged: bool) -> None:
    assert ("GL101" in _rule_ids(code)) is flagged


TRICKY = '''
import os  # comment
x = 1; y = 2


@decorator(
    "arg",
)
async def f(
    a,
    b=[],
) -> int:  # trailing
    """doc"""
    if a:
        pass
    elif b: return 1
    else:
        try:
            pass
        except (ValueError,
                KeyError) as error:
            raise
        else:
            pass
        finally:
            pass
    with (open(a) as one,
          open(b) as two):
        for i in range(3): print(i)
    while (a and
           b):
        break
    match a:
        case [1, 2]:
            pass
        case _:
            pass
    return (
        1
    )


class C(
    object
):
    z = f"{x!r:>{y}}"
'''


def _sources() -> list[str]:
    corpus = Path(__file__).resolve().parents[1] / "benchmarks" / "corpus"
    return [TRICKY, FIXTURE.read_text(), *(p.read_text() for p in sorted(corpus.glob("*.py")))]


def test_ast_paired_spans_equal_locate_spans_for_every_statement() -> None:
    import ast

    from graderlib.detectors.astlines import pair
    from graderlib.locate import locate_module

    compared = 0
    for source in _sources():
        module = cst.parse_module(source)
        lines = pair(module, ast.parse(source))
        assert lines is not None
        for anchor in locate_module(module).anchors.values():
            if isinstance(anchor.node, cst.Else | cst.Finally | cst.MatchCase):
                continue  # no ast counterpart: these fall back to PositionProvider
            assert lines.span(anchor.node) == anchor.header, (anchor.node, source[:60])
            compared += 1
    assert compared > 1000


def test_statement_at_agrees_with_the_position_provider_path_on_every_line() -> None:
    for source in (TRICKY, FIXTURE.read_text()):
        module = cst.parse_module(source)
        fast = PositionResolver(module, source)
        slow = PositionResolver(module, source)
        slow._pairing_tried = True  # force the PositionProvider fallback
        for line in range(1, source.count("\n") + 2):
            fast_span, _, fast_scope = fast.statement_at(line)
            slow_span, _, slow_scope = slow.statement_at(line)
            assert (fast_span, fast_scope) == (slow_span, slow_scope), line


def test_every_tool_fingerprints_a_statement_alike_and_headers_ignore_bodies() -> None:
    source = FIXTURE.read_text()
    per_tool = {
        tool: {f.span.start: f.fingerprint for f in scan(source, (tool,)).findings}
        for tool in ("graderlib", "bandit", "ruff")
    }
    assert per_tool["graderlib"][31] == per_tool["bandit"][31] == per_tool["ruff"][31]

    def default_print(body: str) -> str:
        code = f"def add(item, items=[]):\n    {body}\n"
        (finding,) = scan(code, ("graderlib",)).findings
        return finding.fingerprint

    assert default_print("items.append(item)") == default_print("return items + [item]")


def test_every_cookie_is_judged_and_each_finding_names_its_cwe_and_weight() -> None:
    from graderlib.sarif import to_sarif
    from graderlib.taxonomy import Severity

    source = (
        "def view(resp, sid, theme):\n"
        "    resp.set_cookie('session', sid, secure=True)\n"
        "    resp.set_cookie('theme', theme, httponly=True)\n"
        "    resp.set_cookie('lang', 'en', secure=True, httponly=True)\n"
    )
    result = scan(source, ("graderlib",), path="app.py")
    cookies = {f.span.start: f for f in result.findings if f.category == "insecure-cookie"}
    assert sorted(cookies) == [2, 3]
    assert (cookies[2].cwe, cookies[2].severity) == (1004, Severity.MEDIUM)
    assert "httponly=True" in cookies[2].message and "secure" not in cookies[2].message
    assert (cookies[3].cwe, cookies[3].severity) == (614, Severity.LOW)
    results = to_sarif([result])["runs"][0]["results"]
    assert [r["properties"]["cwe"] for r in results if r["ruleId"] == "GL117"] == [
        "CWE-1004",
        "CWE-614",
    ]
    taxonomy = default_taxonomy()
    assert taxonomy.resolve("CWE-1004") == taxonomy.resolve("CWE-614") == "insecure-cookie"
