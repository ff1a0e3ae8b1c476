"""graderlib: a static-analysis-backed, hard-to-game grader for code review.

The public API; everything else is an implementation detail that may move::

    task = graderlib.load_task("tasks/sqli-user-lookup")
    report = graderlib.grade(task, [{"line": 12, "category": "B608", "message": "..."}])
    report.score, report.redacted()
"""

from importlib import import_module
from typing import TYPE_CHECKING, Any

from graderlib.catalog import DIFFICULTIES, SPLITS, TaskCatalog, TaskSelectionError
from graderlib.episode import (
    MAX_FINDINGS_PER_EPISODE,
    Episode,
    EpisodeError,
    PatchOutcome,
    StepRecord,
    verify_patch_outcome,
)
from graderlib.findings import (
    Finding,
    FindingsError,
    findings_from_sarif,
    load_findings,
    parse_findings,
)
from graderlib.grading import RunningGrade, grade
from graderlib.locate import Span
from graderlib.policy import EpisodeProgress, RewardPolicy
from graderlib.report import (
    FindingVerdict,
    GradeReport,
    GradeSummary,
    MissedIssue,
    ScoreComponents,
)
from graderlib.settings import Settings, SettingsError, get_settings
from graderlib.task import CleanMark, Issue, Task, TaskLoadError, load_task, load_tasks
from graderlib.taxonomy import Category, Severity, UnknownCategoryError, default_taxonomy

if TYPE_CHECKING:
    from graderlib.detectors.base import Detector, DetectorFinding, Invalid
    from graderlib.detectors.confirm import ConfirmResult, confirm_task
    from graderlib.detectors.consensus import SuppressedFinding
    from graderlib.detectors.external import ToolError
    from graderlib.detectors.families import all_detectors
    from graderlib.detectors.scan import ScanResult, scan
    from graderlib.detectors.worker import start_bandit_worker, stop_bandit_worker
    from graderlib.evaluate import (
        LocalEngine,
        RayEngine,
        Scorecard,
        read_tool_output,
        score_agent,
        score_output,
    )
    from graderlib.evaluate.infer import run_inference
    from graderlib.evaluate.llm import LLMAgent, LLMSettings
    from graderlib.evaluate.sessions import ActionRejected, StepOutcome
    from graderlib.integrations import CodeReviewToolEnv, code_review_reward
    from graderlib.sarif import to_sarif
    from graderlib.verify import PatchVerdict, verify_patch

# Detectors import libcst.matchers (~1 s) and bandit; patch verification imports the sandbox.
# Loading them on first use keeps `import graderlib` cheap for code that only grades.
_LAZY = {
    "Detector": "graderlib.detectors",
    "DetectorFinding": "graderlib.detectors",
    "ScanResult": "graderlib.detectors",
    "SuppressedFinding": "graderlib.detectors",
    "Invalid": "graderlib.detectors",
    "all_detectors": "graderlib.detectors",
    "scan": "graderlib.detectors",
    "start_bandit_worker": "graderlib.detectors",
    "stop_bandit_worker": "graderlib.detectors",
    "ToolError": "graderlib.detectors.external",
    "ConfirmResult": "graderlib.detectors.confirm",
    "confirm_task": "graderlib.detectors.confirm",
    "to_sarif": "graderlib.sarif",
    "PatchVerdict": "graderlib.verify",
    "verify_patch": "graderlib.verify",
    "ActionRejected": "graderlib.evaluate.sessions",
    "StepOutcome": "graderlib.evaluate.sessions",
    "LLMAgent": "graderlib.evaluate.llm",
    "LLMSettings": "graderlib.evaluate.llm",
    "run_inference": "graderlib.evaluate.infer",
    "LocalEngine": "graderlib.evaluate",
    "RayEngine": "graderlib.evaluate",
    "Scorecard": "graderlib.evaluate",
    "read_tool_output": "graderlib.evaluate",
    "score_agent": "graderlib.evaluate",
    "score_output": "graderlib.evaluate",
    "CodeReviewToolEnv": "graderlib.integrations",
    "code_review_reward": "graderlib.integrations",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'graderlib' has no attribute {name!r}")


__all__ = [
    "DIFFICULTIES",
    "MAX_FINDINGS_PER_EPISODE",
    "SPLITS",
    "ActionRejected",
    "Category",
    "CleanMark",
    "CodeReviewToolEnv",
    "ConfirmResult",
    "Detector",
    "DetectorFinding",
    "Episode",
    "EpisodeError",
    "EpisodeProgress",
    "Finding",
    "FindingVerdict",
    "FindingsError",
    "GradeReport",
    "GradeSummary",
    "Invalid",
    "Issue",
    "LLMAgent",
    "LLMSettings",
    "LocalEngine",
    "MissedIssue",
    "PatchOutcome",
    "PatchVerdict",
    "RayEngine",
    "RewardPolicy",
    "RunningGrade",
    "ScanResult",
    "ScoreComponents",
    "Scorecard",
    "Settings",
    "SettingsError",
    "Severity",
    "Span",
    "StepOutcome",
    "StepRecord",
    "SuppressedFinding",
    "Task",
    "TaskCatalog",
    "TaskLoadError",
    "TaskSelectionError",
    "ToolError",
    "UnknownCategoryError",
    "all_detectors",
    "code_review_reward",
    "confirm_task",
    "default_taxonomy",
    "findings_from_sarif",
    "get_settings",
    "grade",
    "load_findings",
    "load_task",
    "load_tasks",
    "parse_findings",
    "read_tool_output",
    "run_inference",
    "scan",
    "score_agent",
    "score_output",
    "start_bandit_worker",
    "stop_bandit_worker",
    "to_sarif",
    "verify_patch",
    "verify_patch_outcome",
]
