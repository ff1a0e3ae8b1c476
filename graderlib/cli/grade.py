"""``graderlib grade TASK_DIR FINDINGS [--json] [--redacted]``: score findings against a task."""

from __future__ import annotations

import argparse

from graderlib.cli.base import BadInput, ExitCode, Subparsers, load_task_arg
from graderlib.findings import FindingsError, load_findings
from graderlib.grading import grade
from graderlib.report import GradeReport


def register(commands: Subparsers) -> None:
    parser = commands.add_parser("grade", help="grade findings against a task")
    parser.add_argument("task_dir")
    parser.add_argument("findings", help="findings as .json or SARIF 2.1.0 (.sarif)")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    parser.add_argument(
        "--redacted",
        action="store_true",
        help="leave out unfound ground truth, as an agent would see it",
    )
    parser.set_defaults(handler=cmd_grade)


def cmd_grade(args: argparse.Namespace) -> ExitCode:
    task = load_task_arg(args.task_dir)
    try:
        findings = load_findings(args.findings)
    except FindingsError as error:
        raise BadInput(str(error)) from None
    report = grade(task, findings)
    if args.redacted:
        report = report.redacted()
    if args.json:
        print(report.model_dump_json(indent=2))
    else:
        print_report(report)
    return ExitCode.OK


def print_report(report: GradeReport) -> None:
    """The report as a reader skims it: score, one line per finding, missed issues, terms."""
    print(
        f"task {report.task_id}: score {report.score:.3f} "
        f"({report.issues_found}/{report.issues_total} issues found)"
    )
    for verdict in report.verdicts:
        print(
            f"  #{verdict.index} line {verdict.line} {verdict.category}: {verdict.status} "
            f"({verdict.points:+.3f}) {verdict.reason}"
        )
    for issue in report.missed:
        print(f"  missed {issue.id} [{issue.category}, {issue.severity}] at line {issue.span}")
    c = report.components
    print(
        f"  recall {c.recall:.3f} (line bonus {c.line_bonus:.3f}), penalties: "
        f"false positives {c.false_positive_penalty:.3f}, ok marks {c.ok_violation_penalty:.3f}, "
        f"duplicates {c.duplicate_penalty:.3f}, vague {c.vague_penalty:.3f}"
    )
