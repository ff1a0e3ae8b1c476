"""Proving a fix: apply the patch, re-detect, run the task's tests in the sandbox.

A patch *resolves* a task when three independent witnesses agree, as in the SWE-bench harness
plus static re-detection:

1. **The issue is gone.** For each targeted ground-truth issue that a detector actually finds
   on the original snippet, neither that finding's fingerprint nor a finding of a related
   category (taxonomy relation exact or parent/child) is left at or near the issue's span,
   mapped through the patch onto the new line numbers. An issue no detector finds on the
   original is judged by the tests instead (only when some test failed before the patch and
   every test passes after it); with neither witness it stays *unverified*, which does not
   count as fixed.
2. **Nothing new appeared.** Findings whose fingerprint was not in the original scan are new;
   fingerprints ignore line numbers, so moved code is not new. A new finding of severity
   medium or above blocks ``resolved``.
3. **The behaviour is right.** The task's tests (``test_task.py``) run in the sandbox on the
   original and on the patched snippet: FAIL_TO_PASS and PASS_TO_PASS as in SWE-bench, and
   every test must pass.

Results for the original snippet (its scan and its test run) never change, so they are cached
per source; a verification then costs one scan and, with tests, one sandboxed run.

This module measures and judges; :mod:`graderlib.verify.verdict` holds the models and turns the
measurements into reasons, ``resolved`` and a summary.
"""

from __future__ import annotations

import difflib
import hashlib
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from graderlib.locate import Span
from graderlib.near import NEAR_LINES, is_near
from graderlib.task import Issue, Task
from graderlib.taxonomy import Relation, Severity, Taxonomy, default_taxonomy
from graderlib.verify.facts import SourceFacts, source_facts
from graderlib.verify.patch import AppliedPatch, ApplyLevel, PatchError, apply_patch
from graderlib.verify.sandbox import SandboxLimits, SandboxResult, Verdict, run_in_sandbox
from graderlib.verify.verdict import (
    NO_TESTS,
    IssueOutcome,
    IssueStatus,
    NewFinding,
    PatchVerdict,
    TestEvidence,
    Witness,
    settle,
)

BLOCKING_SEVERITY = Severity.MEDIUM


class _Finding(Protocol):
    """What verification needs of a detector finding (``graderlib.detectors.DetectorFinding``)."""

    @property
    def category(self) -> str: ...
    @property
    def severity(self) -> Severity: ...
    @property
    def span(self) -> Span: ...
    @property
    def fingerprint(self) -> str: ...
    @property
    def rule_ids(self) -> tuple[str, ...]: ...


@dataclass(frozen=True, slots=True)
class _Scan:
    findings: tuple[_Finding, ...]
    syntax_error: str | None
    tool_errors: tuple[str, ...] = ()


# ------------------------------------------------------------------------------ entry points


def verify_patch(
    task: Task,
    patch: str,
    *,
    kind: str = "auto",
    targets: Sequence[str] | None = None,
    run_tests: bool = True,
    max_fuzz: int = 2,
    limits: SandboxLimits | None = None,
    isolation: str = "auto",
    taxonomy: Taxonomy | None = None,
) -> PatchVerdict:
    """Verify ``patch`` (a unified diff against ``task.source``, or a whole file) on ``task``.

    ``targets`` limits which issue ids must be fixed (default: all of them). Never raises for
    anything in the patch; a rejected patch is a verdict with ``applied=False``. Raises
    ``ToolError`` when no verdict can be reached (see ``_check_witnesses``).
    """
    tax = taxonomy or default_taxonomy()
    issue_ids = {issue.id for issue in task.issues}
    if targets is not None:
        unknown = sorted(set(targets) - issue_ids)
        if unknown:
            raise ValueError(f"task {task.id!r} has no issue {', '.join(map(repr, unknown))}")
    targeted = tuple(i for i in task.issues if targets is None or i.id in targets)
    try:
        applied = apply_patch(task.source, patch, max_fuzz=max_fuzz, kind=kind)
    except PatchError as error:
        return settle(
            PatchVerdict(
                task_id=task.id,
                resolved=False,
                applied=False,
                apply_level=None,
                apply_detail="not applied",
                error_kind=error.kind.value,
                error=str(error),
                targeted=tuple(i.id for i in targeted),
            )
        )
    facts = source_facts(applied.source)
    if facts.syntax_error is not None:
        return settle(
            PatchVerdict(
                task_id=task.id,
                resolved=False,
                applied=True,
                apply_level=applied.level,
                apply_detail=applied.describe(),
                parses=False,
                syntax_error=facts.syntax_error,
                targeted=tuple(i.id for i in targeted),
                remaining_issues=tuple(
                    _outcome(i, "remaining", "none", "the patched code does not parse")
                    for i in targeted
                ),
            )
        )
    with ThreadPoolExecutor(max_workers=1) as pool:
        # the sandboxed tests run in a subprocess while this thread scans (both sources, the
        # first time a task is seen)
        running = (
            pool.submit(_run_tests, task, applied, run_tests, limits, isolation)
            if run_tests and task.tests_path is not None
            else None
        )
        original = _original(task.source)
        patched_scan = _scan(applied.source)
        tests = running.result() if running is not None else None
    _check_witnesses(original.scan, patched_scan, tests)
    removed = tuple(sorted(original.facts.definitions - facts.definitions))
    reach = tuple(sorted(facts.harness_reach - original.facts.harness_reach))
    original_scan = original.scan
    line_map = _LineMap(task.source, applied.source)
    outcomes = [
        _judge(issue, original_scan, patched_scan, line_map, tests, tax) for issue in targeted
    ]
    new = _new_findings(original_scan, patched_scan, targeted, line_map, tax)
    evidence = tests.evidence() if tests else NO_TESTS
    return settle(
        PatchVerdict(
            task_id=task.id,
            resolved=False,
            applied=True,
            apply_level=applied.level,
            apply_detail=applied.describe(),
            parses=True,
            targeted=tuple(i.id for i in targeted),
            fixed_issues=tuple(o for o in outcomes if o.status == "fixed"),
            remaining_issues=tuple(o for o in outcomes if o.status != "fixed"),
            new_findings=tuple(new),
            removed_definitions=removed,
            harness_reach=reach,
            tests_run=evidence.run,
            tests_passed=evidence.passed,
            fail_to_pass=evidence.fail_to_pass,
            pass_to_pass=evidence.pass_to_pass,
            still_failing=evidence.still_failing,
            pass_to_fail=evidence.pass_to_fail,
            test_errors=evidence.errors,
            sandbox=evidence.sandbox,
            isolation=evidence.isolation,
        )
    )


def check_reference_fix(task: Task, *, isolation: str = "auto") -> list[str]:
    """Problems with a task's tests and reference fix, for ``graderlib tasks lint``.

    Empty when: at least one test fails on the original snippet, and the reference fix applies
    exactly, passes every test and resolves every issue.
    """
    problems: list[str] = []
    if task.tests_path is not None:
        original = _original_tests(task, None, isolation)
        if original.load_error:
            problems.append(f"tests do not run on the original snippet: {original.load_error}")
        elif not original.tests:
            problems.append("test_task.py defines no test")
        elif all(t.passed for t in original.tests):
            problems.append("no test fails on the original snippet, so none shows the bug")
    if task.fix_path is None:
        if task.tests_path is not None:
            problems.append("tests but no reference fix (fix.diff or fixed.py)")
        return problems
    try:
        text = Path(task.fix_path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return [*problems, f"cannot read {task.fix_path}: {error}"]
    kind = "source" if Path(task.fix_path).suffix == ".py" else "diff"
    verdict = verify_patch(task, text, kind=kind, isolation=isolation)
    name = Path(task.fix_path).name
    if not verdict.applied:
        return [*problems, f"{name} does not apply: {verdict.error}"]
    if verdict.apply_level not in (ApplyLevel.EXACT, ApplyLevel.REPLACEMENT):
        problems.append(f"{name} applies only with {verdict.apply_detail}; regenerate it")
    problems.extend(f"{name}: {reason}" for reason in verdict.reasons)
    return problems


# ------------------------------------------------------------------------------ scanning


def _scan(source: str) -> _Scan:
    from graderlib.detectors import scan  # local: detectors are optional for patch parsing

    result: Any = scan(source)
    errors = tuple(getattr(result, "tool_errors", ()))
    return _Scan(tuple(result.findings), getattr(result, "syntax_error", None), errors)


def _check_witnesses(original: _Scan, patched: _Scan, tests: _TestRun | None) -> None:
    """Raise ``ToolError`` when a witness could not testify: then there is NO verdict.

    A detector that failed on the patched code but not on the original would make its
    findings vanish, which is indistinguishable from a fix; a sandbox that ran no test of the
    ORIGINAL snippet (which the task's own lint runs cleanly) is broken, whatever the patch
    did. A detector failing on both sources is consistently absent and judges nothing. The
    message names tools only: no issue, no test, no code.
    """
    from graderlib.detectors.external import ToolError

    def tools(errors: tuple[str, ...]) -> set[str]:
        named = ("graderlib", "bandit", "ruff")
        return {next((t for t in named if t in e), "a detector") for e in errors}

    failed = sorted(tools(patched.tool_errors) - tools(original.tool_errors))
    if failed:
        raise ToolError(f"a detector failed on the patched code ({', '.join(failed)})")
    if tests is not None:
        first = tests.original
        if first.verdict is Verdict.CRASHED and not first.tests:
            raise ToolError("the sandbox could not run the task's tests")


@dataclass(frozen=True)
class _Original:
    """What verification compares a patched source against; it never changes for a task."""

    scan: _Scan
    facts: SourceFacts


_ORIGINALS: dict[str, _Original] = {}


def _original(source: str) -> _Original:
    key = hashlib.sha256(source.encode()).hexdigest()
    if key not in _ORIGINALS:
        if len(_ORIGINALS) > 512:
            _ORIGINALS.clear()
        _ORIGINALS[key] = _Original(_scan(source), source_facts(source))
    return _ORIGINALS[key]


class _LineMap:
    """Old line number -> new line number, through the patch (difflib opcodes)."""

    def __init__(self, old: str, new: str) -> None:
        self.mapping: dict[int, int] = {}
        self.new_line_count = max(1, len(new.splitlines()))
        matcher = difflib.SequenceMatcher(None, old.splitlines(), new.splitlines(), autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            for offset in range(i2 - i1):
                if tag == "equal":
                    self.mapping[i1 + offset + 1] = j1 + offset + 1
                else:  # a changed line maps onto its replacement (or where it was deleted)
                    self.mapping[i1 + offset + 1] = min(
                        j1 + 1 + min(offset, max(j2 - j1 - 1, 0)), self.new_line_count
                    )

    def span(self, span: Span) -> Span:
        start = self.mapping.get(span.start, span.start)
        end = max(start, self.mapping.get(span.end, span.end))
        return Span(start=max(1, start), end=max(1, end))


def _related(category: str, issue: Issue, tax: Taxonomy) -> bool:
    return any(
        tax.relation(category, expected) >= Relation.PARENT_CHILD for expected in issue.categories
    )


def _near(finding: _Finding, span: Span, issue: Issue) -> bool:
    if issue.scope == "file":
        return True
    slack = 0 if issue.scope == "definition" else NEAR_LINES
    return is_near(span, finding.span.start, finding.span.end, slack)


# ------------------------------------------------------------------------------ tests


@dataclass(frozen=True, slots=True)
class _TestRun:
    original: SandboxResult
    patched: SandboxResult

    @property
    def failed_before(self) -> bool:
        return any(not t.passed for t in self.original.tests) or bool(self.original.load_error)

    @property
    def all_pass(self) -> bool:
        p = self.patched
        return (
            p.verdict is Verdict.OK
            and p.load_error is None
            and bool(p.tests)
            and all(t.passed for t in p.tests)
        )

    def evidence(self) -> TestEvidence:
        before = {t.name: t.passed for t in self.original.tests}
        after = {t.name: t.passed for t in self.patched.tests}
        errors = {t.name: t.message for t in self.patched.tests if not t.passed and t.message}
        if self.patched.load_error:
            errors["<load>"] = self.patched.load_error
        return TestEvidence(
            run=True,
            passed=self.all_pass,
            fail_to_pass=tuple(n for n, ok in after.items() if ok and not before.get(n)),
            pass_to_pass=tuple(n for n, ok in after.items() if ok and before.get(n)),
            still_failing=tuple(n for n in before if not before[n] and not after.get(n, False)),
            pass_to_fail=tuple(n for n in before if before[n] and not after.get(n, False)),
            errors=errors,
            sandbox=self.patched.verdict.value,
            isolation=self.patched.isolation,
        )


_ORIGINAL_TESTS: dict[tuple[str, str, str], SandboxResult] = {}  # bounded: one per task


def _hidden_paths(task: Task) -> list[Path]:
    """The task directory, and the corpus around it when that holds no interpreter or code."""
    if task.path is None:
        return []
    task_dir = Path(task.path).resolve()
    hidden = [task_dir]
    corpus = task_dir.parent
    protected = [Path(p).resolve() for p in (sys.prefix, sys.base_prefix, __file__)]
    if not any(p.is_relative_to(corpus) for p in protected):
        hidden.append(corpus)
    return hidden


def _read_tests(task: Task) -> str | None:
    if task.tests_path is None:
        return None
    return Path(task.tests_path).read_text(encoding="utf-8")


def _original_tests(task: Task, limits: SandboxLimits | None, isolation: str) -> SandboxResult:
    tests = _read_tests(task) or ""
    key = (
        hashlib.sha256(task.source.encode()).hexdigest(),
        hashlib.sha256(tests.encode()).hexdigest(),
        f"{limits!r} {isolation}",
    )
    cached = _ORIGINAL_TESTS.get(key)
    if cached is None:
        cached = run_in_sandbox(
            task.source,
            tests,
            hidden_paths=_hidden_paths(task),
            limits=limits,
            isolation=isolation,
        )
        _ORIGINAL_TESTS[key] = cached
    return cached


def _run_tests(
    task: Task,
    applied: AppliedPatch,
    run_tests: bool,
    limits: SandboxLimits | None,
    isolation: str,
) -> _TestRun | None:
    tests = _read_tests(task) if run_tests else None
    if tests is None:
        return None
    # the original's run (cached after the first time) and the patched run are both waits on a
    # subprocess, so they overlap
    with ThreadPoolExecutor(max_workers=1) as pool:
        original = pool.submit(_original_tests, task, limits, isolation)
        patched = run_in_sandbox(
            applied.source,
            tests,
            hidden_paths=_hidden_paths(task),
            limits=limits,
            isolation=isolation,
        )
        return _TestRun(original.result(), patched)


# ------------------------------------------------------------------------------ judging


def _outcome(issue: Issue, status: IssueStatus, judged_by: Witness, detail: str) -> IssueOutcome:
    return IssueOutcome(
        id=issue.id,
        category=issue.category,
        severity=issue.severity,
        span=issue.span,
        status=status,
        judged_by=judged_by,
        detail=detail,
    )


def _judge(
    issue: Issue,
    original: _Scan,
    patched: _Scan,
    line_map: _LineMap,
    tests: _TestRun | None,
    tax: Taxonomy,
) -> IssueOutcome:
    witnesses = [
        f
        for f in original.findings
        if _related(f.category, issue, tax) and _near(f, issue.span, issue)
    ]
    if witnesses:
        prints = {f.fingerprint for f in witnesses}
        witness_rules = {r for f in witnesses for r in f.rule_ids}
        moved = line_map.span(issue.span)
        # Still there: the same finding (by fingerprint, wherever it moved), or the same rule
        # firing again on a related category at the new place (the line was edited but the
        # bug kept). Another rule's advisory at that place (bandit's B603 "check the input"
        # once shell=True is gone) is not the bug that was fixed.
        left = [
            f
            for f in patched.findings
            if f.fingerprint in prints
            or (
                _related(f.category, issue, tax)
                and _near(f, moved, issue)
                and witness_rules & set(f.rule_ids)
            )
        ]
        rules = ", ".join(sorted(witness_rules))
        if left:
            where = ", ".join(sorted({str(f.span) for f in left}))
            by = ", ".join(sorted({r for f in left for r in f.rule_ids}))
            return _outcome(
                issue, "remaining", "detector", f"still reported by {by} (line {where})"
            )
        return _outcome(issue, "fixed", "detector", f"no longer reported by {rules}")
    if tests is not None:
        if not tests.failed_before:
            return _outcome(
                issue,
                "unverified",
                "none",
                "no detector finds it and no test fails on the original",
            )
        if tests.all_pass:
            return _outcome(
                issue, "fixed", "tests", "no detector finds it on the original; all tests now pass"
            )
        return _outcome(
            issue, "remaining", "tests", "no detector finds it on the original; tests still fail"
        )
    return _outcome(issue, "unverified", "none", "no detector finds it and the task has no tests")


def _new_findings(
    original: _Scan,
    patched: _Scan,
    targeted: Sequence[Issue],
    line_map: _LineMap,
    tax: Taxonomy,
) -> list[NewFinding]:
    known = {f.fingerprint for f in original.findings}
    out: list[NewFinding] = []
    for finding in patched.findings:
        if finding.fingerprint in known:
            continue
        # a reworded but still-present targeted issue is reported as remaining, not as new
        if any(
            _related(finding.category, i, tax) and _near(finding, line_map.span(i.span), i)
            for i in targeted
        ):
            continue
        # an edited line that still has the finding it had before is not new either (adding
        # ``timeout=`` to a call changes its fingerprint, not what else is wrong with it)
        if any(
            before.category == finding.category
            and is_near(line_map.span(before.span), finding.span.start, finding.span.end)
            for before in original.findings
        ):
            continue
        out.append(
            NewFinding(
                fingerprint=finding.fingerprint,
                category=finding.category,
                severity=finding.severity,
                line=finding.span.start,
                rule_ids=tuple(finding.rule_ids),
                blocking=finding.severity.rank >= BLOCKING_SEVERITY.rank,
            )
        )
    return out
