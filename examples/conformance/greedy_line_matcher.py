"""A greedy one-to-one line matcher, in the style several code-review environments publish:
findings are taken in the order given, each claims the first unclaimed ground-truth issue of
its category within ±K lines, and the score is the share of issues claimed.

Written from that description for graderlib's conformance examples; it is not anyone's code.
``ADAPTER`` is what ``graderlib-conformance examples.conformance.greedy_line_matcher:ADAPTER``
runs.
"""

from __future__ import annotations

from typing import Any

from graderlib.testing import LineCategoryAdapter

TOLERANCE = 2


def grade(truth: list[dict[str, Any]], findings: list[dict[str, Any]]) -> float:
    """Issues claimed / issues (1.0 when there are none)."""
    if not truth:
        return 1.0
    claimed = [False] * len(truth)
    for finding in findings:
        for number, issue in enumerate(truth):
            if (
                not claimed[number]
                and issue["category"] == finding["category"]
                and abs(issue["line"] - finding["line"]) <= TOLERANCE
            ):
                claimed[number] = True
                break
    return sum(claimed) / len(truth)


ADAPTER = LineCategoryAdapter(grade, name="greedy line matcher (±2 lines)")
