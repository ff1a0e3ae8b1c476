"""graderlib: a static-analysis-backed, hard-to-game grader for code review.

The public API; everything else is an implementation detail that may move::

    task = graderlib.load_task("tasks/sqli-user-lookup")
    report = graderlib.grade(task, [{"line": 12, "category": "B608", "message": "..."}])
    report.score, report.redacted()
"""

from graderlib.detectors import Detector, DetectorFinding, ScanResult, all_detectors, scan
from graderlib.detectors.confirm import ConfirmResult, confirm_task
from graderlib.findings import (
    Finding,
    FindingsError,
    findings_from_sarif,
    load_findings,
    parse_findings,
)
from graderlib.grading import grade
from graderlib.locate import Span
from graderlib.sarif import to_sarif
from graderlib.scoring import (
    EpisodeProgress,
    FindingVerdict,
    GradeReport,
    MissedIssue,
    RewardPolicy,
    ScoreComponents,
)
from graderlib.task import CleanMark, Issue, Task, TaskLoadError, load_task, load_tasks
from graderlib.taxonomy import Category, Severity, UnknownCategoryError, default_taxonomy

__all__ = [
    "Category",
    "CleanMark",
    "ConfirmResult",
    "Detector",
    "DetectorFinding",
    "EpisodeProgress",
    "Finding",
    "FindingVerdict",
    "FindingsError",
    "GradeReport",
    "Issue",
    "MissedIssue",
    "RewardPolicy",
    "ScanResult",
    "ScoreComponents",
    "Severity",
    "Span",
    "Task",
    "TaskLoadError",
    "UnknownCategoryError",
    "all_detectors",
    "confirm_task",
    "default_taxonomy",
    "findings_from_sarif",
    "grade",
    "load_findings",
    "load_task",
    "load_tasks",
    "parse_findings",
    "scan",
    "to_sarif",
]
