"""Property-based conformance tests for code-review graders: graderlib's and anyone else's.

Install with ``pip install graderlib[testing]`` (it needs hypothesis). Point the laws at a
grader and read the table::

    from graderlib.testing import LineCategoryAdapter, run_laws, format_table

    adapter = LineCategoryAdapter(my_grade)        # my_grade(ground_truth, findings) -> float
    print(format_table("my grader", run_laws(adapter)))

or from a shell, ``graderlib-conformance mypackage.grader:grade``, or inside a pytest run,
``pytest -p graderlib.testing.pytest_plugin --grader=mypackage.grader:grade``. Each law is
also a plain function (``graderlib.testing.laws``) that raises :class:`LawViolation`.
"""

from graderlib.testing.adapters import (
    FILE_SCOPE,
    OPTIMAL_ASSIGNMENT,
    FunctionAdapter,
    GraderAdapter,
    GraderlibAdapter,
    KeywordRubricAdapter,
    LineCategoryAdapter,
    as_adapter,
    finding_dicts,
    ground_truth_lines,
    keyword_rubric,
)
from graderlib.testing.laws import LAW_NAMES, LAWS, Law, LawViolation
from graderlib.testing.runner import LawResult, check_law, format_table, load_grader, run_laws
from graderlib.testing.strategies import findings, oracle, reports, shotgun, tasks

__all__ = [
    "FILE_SCOPE",
    "LAWS",
    "LAW_NAMES",
    "OPTIMAL_ASSIGNMENT",
    "FunctionAdapter",
    "GraderAdapter",
    "GraderlibAdapter",
    "KeywordRubricAdapter",
    "Law",
    "LawResult",
    "LawViolation",
    "LineCategoryAdapter",
    "as_adapter",
    "check_law",
    "finding_dicts",
    "findings",
    "format_table",
    "ground_truth_lines",
    "keyword_rubric",
    "load_grader",
    "oracle",
    "reports",
    "run_laws",
    "shotgun",
    "tasks",
]
