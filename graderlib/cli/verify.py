"""``graderlib verify-patch TASK_DIR PATCH_FILE [--json]``: a CI gate for fixes.

Exit codes: 0 the patch resolves the task, 1 it does not (does not apply, issues remain, a
new finding, a failing test), 2 bad input (unreadable task or patch file, a malformed, empty,
oversized patch or one that touches another path).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from graderlib.cli.base import BadInput, ExitCode, Subparsers, load_task_arg
from graderlib.verify import PatchVerdict, verify_patch
from graderlib.verify.patch import MAX_PATCH_BYTES, PatchErrorKind

_BAD_INPUT_KINDS = {
    PatchErrorKind.EMPTY.value,
    PatchErrorKind.MALFORMED.value,
    PatchErrorKind.PATH.value,
    PatchErrorKind.TOO_LARGE.value,
}


def register(commands: Subparsers) -> None:
    parser = commands.add_parser(
        "verify-patch",
        help="apply a patch to a task, re-detect and run its tests in a sandbox",
        description=__doc__.splitlines()[0] if __doc__ else None,
    )
    parser.add_argument("task_dir", help="task directory (task.toml + snippet.py)")
    parser.add_argument(
        "patch_file", help="unified diff against snippet.py, or a whole replacement file; - = stdin"
    )
    parser.add_argument("--json", action="store_true", help="print the verdict as JSON")
    parser.add_argument(
        "--source", action="store_true", help="treat PATCH_FILE as the whole new snippet.py"
    )
    parser.add_argument("--no-tests", action="store_true", help="skip the task's tests")
    parser.add_argument(
        "--max-fuzz", type=int, default=2, help="context lines that may be ignored (default 2)"
    )
    parser.add_argument(
        "--target", action="append", metavar="ISSUE_ID", help="only these issues must be fixed"
    )
    parser.add_argument(
        "--redacted", action="store_true", help="the verdict as an agent may see it"
    )
    parser.set_defaults(handler=cmd_verify_patch)


def _read_patch(name: str) -> str:
    if name == "-":
        data = sys.stdin.buffer.read(MAX_PATCH_BYTES + 1)
    else:
        with Path(name).open("rb") as handle:
            data = handle.read(MAX_PATCH_BYTES + 1)
    return data.decode("utf-8")


def cmd_verify_patch(args: argparse.Namespace) -> ExitCode:
    task = load_task_arg(args.task_dir)
    try:
        patch = _read_patch(args.patch_file)
    except OSError as error:
        raise BadInput(f"cannot read patch {args.patch_file}: {error.strerror or error}") from None
    except UnicodeDecodeError as error:
        raise BadInput(f"patch {args.patch_file} is not UTF-8 text (byte {error.start})") from None
    if args.max_fuzz < 0 or args.max_fuzz > 10:
        raise BadInput(f"--max-fuzz must be between 0 and 10, not {args.max_fuzz}")
    unknown = sorted(set(args.target or ()) - {issue.id for issue in task.issues})
    if unknown:
        raise BadInput(f"--target: task {task.id!r} has no issue {', '.join(map(repr, unknown))}")
    verdict = verify_patch(
        task,
        patch,
        kind="source" if args.source else "auto",
        targets=args.target,
        run_tests=not args.no_tests,
        max_fuzz=args.max_fuzz,
    )
    if args.redacted:
        verdict = verdict.redacted()
    if args.json:
        print(verdict.model_dump_json(indent=2))
    else:
        _print(verdict)
    if verdict.error_kind in _BAD_INPUT_KINDS:  # the verdict above says so too, for --json
        raise BadInput(verdict.error or verdict.error_kind)
    return ExitCode.OK if verdict.resolved else ExitCode.FAILED


def _print(verdict: PatchVerdict) -> None:
    state = "RESOLVED" if verdict.resolved else "NOT RESOLVED"
    print(f"task {verdict.task_id}: {state}")
    print(f"  {verdict.summary}")
    for outcome in [*verdict.fixed_issues, *verdict.remaining_issues]:
        print(f"  {outcome.status:10} {outcome.id} [{outcome.category}]: {outcome.detail}")
    for finding in verdict.new_findings:
        flag = "blocking" if finding.blocking else "minor"
        print(
            f"  new ({flag}) {finding.category} [{finding.severity}] line {finding.line} "
            f"({', '.join(finding.rule_ids)})"
        )
    if verdict.tests_run:
        for label, names in (
            ("FAIL_TO_PASS", verdict.fail_to_pass),
            ("PASS_TO_PASS", verdict.pass_to_pass),
            ("still failing", verdict.still_failing),
            ("PASS_TO_FAIL", verdict.pass_to_fail),
        ):
            if names:
                print(f"  {label}: {', '.join(names)}")
