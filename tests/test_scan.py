"""scan() never raises, whatever the text; the CLI's exit codes and outputs are a contract."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graderlib.cli import main
from graderlib.detectors import scan
from graderlib.detectors.base import DetectorFinding
from graderlib.detectors.scan import merge
from graderlib.locate import Span
from graderlib.taxonomy import Severity

FIXTURE = Path(__file__).parent / "fixtures" / "detectors" / "vulnerable_app.py"
SOURCE = FIXTURE.read_text()
FAST = ("graderlib", "bandit")  # ruff is a subprocess: exercised below, not 200 times


def _check(text: str) -> None:
    result = scan(text, FAST)
    assert (result.syntax_error is None) or not result.findings
    for finding in result.findings:
        assert 1 <= finding.span.start <= finding.span.end


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_scan_never_raises_on_any_text(text: str) -> None:
    _check(text)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=2000))
def test_scan_never_raises_on_binaryish_text(data: bytes) -> None:
    _check(data.decode("latin-1"))


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(
            st.integers(0, len(SOURCE)),
            st.integers(0, 40),
            st.sampled_from(["", "(", ")", ":", "\n", "    ", "'", '"""', "\\", "lambda", "\t"]),
        ),
        max_size=6,
    )
)
def test_scan_never_raises_on_mutated_python(edits: list[tuple[int, int, str]]) -> None:
    text = SOURCE
    for position, length, insert in edits:
        text = text[:position] + insert + text[position + length :]
    _check(text)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(SOURCE.splitlines(keepends=True)), max_size=60))
def test_scan_never_raises_on_shuffled_lines(lines: list[str]) -> None:
    _check("".join(lines))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "\n\n\n",
        "\ufeffimport os\nos.system(cmd)\n",
        "x = " + "(" * 5000 + "1" + ")" * 5000 + "\n",
        "x = " + "not " * 5000 + "y\n",
        "x = " + " and ".join(["a"] * 4000) + "\n",
        "".join("    " * i + "if x:\n" for i in range(99)) + "    " * 99 + "pass\n",
        "x = '\ud800'\n",
        "x = 1\ry = eval(z)\r",
        "def f(:\n",
        "\x00\x01\x02",
    ],
    ids=[
        "empty",
        "blank",
        "bom",
        "parens",
        "nots",
        "ands",
        "indent",
        "surrogate",
        "cr",
        "bad",
        "nul",
    ],
)
def test_scan_survives_hostile_inputs(text: str) -> None:
    result = scan(text)
    if text.startswith("\ufeff"):
        assert result.syntax_error is None and result.findings
    if text in {"def f(:\n", "\x00\x01\x02"}:
        assert result.syntax_error and result.syntax_error.startswith("<snippet>:")


def test_scan_of_a_huge_file_finishes_with_every_finding() -> None:
    chunk = "def f{n}(c, x):\n    c.execute('SELECT * FROM t WHERE a = ' + x)\n\n\n"
    text = "".join(chunk.format(n=i) for i in range(400))
    result = scan(text, ("graderlib",))
    assert [f.span.start for f in result.findings] == [2 + 4 * i for i in range(400)]


def test_unknown_tool_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="unknown tool"):
        scan("x = 1\n", ("graderlib", "pylint"))


def _finding(tool: str, rule: str, category: str, start: int, end: int) -> DetectorFinding:
    return DetectorFinding(
        tool=tool,  # type: ignore[arg-type]
        tools=(tool,),  # type: ignore[arg-type]
        rule_ids=(rule,),
        category=category,
        severity=Severity.MEDIUM,
        span=Span(start=start, end=end),
        message=rule,
        fingerprint=rule,
    )


def test_merge_keeps_every_rule_id_of_overlapping_same_category_findings() -> None:
    merged = merge(
        [
            _finding("ruff", "S608", "sql-injection", 5, 5),
            _finding("bandit", "B608", "sql-injection", 4, 6),
            _finding("graderlib", "GL101", "sql-injection", 6, 7),
            _finding("bandit", "B608", "sql-injection", 20, 20),
            _finding("bandit", "B110", "swallowed-exception", 5, 5),
        ]
    )
    assert [(f.category, f.rule_ids, str(f.span)) for f in merged] == [
        ("swallowed-exception", ("B110",), "5"),
        ("sql-injection", ("GL101", "B608", "S608"), "6-7"),
        ("sql-injection", ("B608",), "20"),
    ]
    assert merged[1].tools == ("graderlib", "bandit", "ruff")


def test_random_reorderings_merge_to_the_same_result() -> None:
    findings = [_finding("bandit", f"B{i}", "xss", i, i + 2) for i in range(1, 30, 3)] + [
        _finding("ruff", "S1", "xss", 40, 41)
    ]
    expected = merge(findings)
    for seed in range(5):
        shuffled = findings[:]
        random.Random(seed).shuffle(shuffled)
        assert merge(shuffled) == expected


# ------------------------------------------------------------------ CLI


def test_cli_scan_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    clean = tmp_path / "clean.py"
    clean.write_text("def add(a, b):\n    return a + b\n")
    assert main(["scan", str(clean)]) == 0
    assert main(["scan", str(FIXTURE)]) == 1
    assert main(["scan", str(tmp_path / "missing.py")]) == 2
    assert "missing.py: no such file" in capsys.readouterr().err
    broken = tmp_path / "broken.py"
    broken.write_text("def f(:\n")
    assert main(["scan", str(broken)]) == 2
    assert main(["scan", "--tools", "graderlib,pylint", str(clean)]) == 2
    assert "unknown tool(s) pylint" in capsys.readouterr().err


def test_cli_scan_walks_directories_and_prints_json(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "a.py").write_text("import os\ndef f(x):\n    os.system('ls ' + x)\n")
    (tmp_path / "pkg" / "b.py").write_text("x = 1\n")
    (tmp_path / ".venv").mkdir()
    (tmp_path / ".venv" / "skip.py").write_text("eval(input())\n")
    code = main(["scan", "--json", "--tools", "graderlib", str(tmp_path / "pkg")])
    out = json.loads(capsys.readouterr().out)
    assert code == 1
    assert [f["path"] for f in out["files"]] == [
        str(tmp_path / "pkg" / "a.py"),
        str(tmp_path / "pkg" / "b.py"),
    ]
    (finding,) = out["files"][0]["findings"]
    assert finding["category"] == "command-injection" and finding["span"] == {"start": 3, "end": 3}
    assert main(["scan", "--tools", "graderlib", str(tmp_path / ".venv" / "..")]) == 1
    assert "skip.py" not in capsys.readouterr().out
