"""A keyword-rubric grader with a ±N line window, in the style several code-review
environments publish: each rubric item is earned when some finding lies within the window of
its line and mentions one of its keywords; the score is the share of items earned.

Written from that description for graderlib's conformance examples; it is not anyone's code.
``ADAPTER`` is what ``graderlib-conformance examples.conformance.keyword_rubric:ADAPTER`` runs.
"""

from __future__ import annotations

from typing import Any

from graderlib.testing import KeywordRubricAdapter

WINDOW = 5


def grade(rubric: list[dict[str, Any]], findings: list[dict[str, Any]]) -> float:
    """The share of rubric items some finding earns (1.0 when the rubric is empty)."""
    if not rubric:
        return 1.0
    earned = 0
    for item in rubric:
        for finding in findings:
            close = abs(finding["line"] - item["line"]) <= item["window"]
            text = finding["message"].lower()
            if close and any(word.lower() in text for word in item["keywords"]):
                earned += 1
                break
    return earned / len(rubric)


ADAPTER = KeywordRubricAdapter(grade, window=WINDOW, name="keyword rubric (±5 lines)")
