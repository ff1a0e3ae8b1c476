"""Grading one step (20 findings against 10 issues) vs one libcst parse of the same snippet.

Target (issue 2): grading takes at most 0.05x one ``libcst.parse_module`` of the snippet. Both
are timed interleaved in this process, so machine noise hits both alike. Grading never parses:
the task is loaded once, before timing.

The headline ratio is the harsh one: every grade runs right after a parse, with the CPU caches
full of libcst's data, as a grade in a busy server would. The steady-state ratio (each side
timed in its own back-to-back loop) is reported beside it.
"""

from __future__ import annotations

from pathlib import Path

import libcst

from benchmarks.timing import interleaved_medians, median_seconds
from graderlib import Finding, grade, load_task

TASK_DIR = Path(__file__).parent / "fixtures" / "ten_issues"
TARGET = 0.05


def step_findings() -> list[Finding]:
    """A realistic step: 10 hits (some off by a line, some by alias), 10 misses."""
    task = load_task(TASK_DIR)
    findings = []
    for n, issue in enumerate(task.issues):
        line = issue.span.start + (n % 3 == 0)
        findings.append(Finding(line=line, category=issue.category, message="why it is a bug"))
    for n in range(10):
        findings.append(Finding(line=3 + 9 * n, category="xss", message="a false positive"))
    return findings


def run() -> dict[str, object]:
    task = load_task(TASK_DIR)
    assert len(task.issues) == 10
    findings = step_findings()
    source = task.source
    grade_s, parse_s = interleaved_medians(
        lambda: grade(task, findings), lambda: libcst.parse_module(source), rounds=200
    )
    steady_grade_s = median_seconds(lambda: grade(task, findings), rounds=500)
    steady_parse_s = median_seconds(lambda: libcst.parse_module(source), rounds=50)
    big = [
        Finding(line=1 + n % task.line_count, category="xss", message="x") for n in range(10_000)
    ]
    big_s, _ = interleaved_medians(lambda: grade(task, big), lambda: None, rounds=5)
    ratio = grade_s / parse_s
    return {
        "snippet_lines": task.line_count,
        "grade_20_findings_10_issues_ms": round(grade_s * 1000, 4),
        "libcst_parse_ms": round(parse_s * 1000, 4),
        "ratio_grade_to_parse": round(ratio, 4),
        "target_ratio": TARGET,
        "meets_target": ratio <= TARGET,
        "steady_state_ratio": round(steady_grade_s / steady_parse_s, 4),
        "grade_10000_findings_ms": round(big_s * 1000, 2),
    }
