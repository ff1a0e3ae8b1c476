"""What a patch verification concludes: the verdict models, their reasons, and redaction.

A :class:`PatchVerdict` is built in two steps. :mod:`graderlib.verify.verify` constructs a
draft naming every measured field (mypy rejects a misspelt one), and :func:`settle` derives
the three fields that only summarise the others: ``reasons``, ``resolved`` and ``summary``.
Keeping the derivation here means a redacted verdict explains itself in the same words as a
full one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict

from graderlib.locate import Span
from graderlib.taxonomy import Severity
from graderlib.verify.patch import ApplyLevel
from graderlib.verify.sandbox import Verdict

IssueStatus = Literal["fixed", "remaining", "unverified"]
Witness = Literal["detector", "tests", "none"]


class IssueOutcome(BaseModel):
    """What became of one ground-truth issue."""

    model_config = ConfigDict(frozen=True)

    id: str
    category: str
    severity: Severity
    span: Span | None
    status: IssueStatus
    judged_by: Witness
    detail: str


class NewFinding(BaseModel):
    """A detector finding in the patched code whose fingerprint the original did not have."""

    model_config = ConfigDict(frozen=True)

    fingerprint: str
    category: str
    severity: Severity
    line: int
    rule_ids: tuple[str, ...]
    blocking: bool


class PatchVerdict(BaseModel):
    """Everything known about one patch; ``resolved`` is the bit the environment and CI use."""

    model_config = ConfigDict(frozen=True)

    task_id: str
    resolved: bool
    applied: bool
    apply_level: ApplyLevel | None
    apply_detail: str
    error_kind: str | None = None
    error: str | None = None
    parses: bool = False
    syntax_error: str | None = None
    targeted: tuple[str, ...] = ()
    fixed_issues: tuple[IssueOutcome, ...] = ()
    remaining_issues: tuple[IssueOutcome, ...] = ()
    new_findings: tuple[NewFinding, ...] = ()
    removed_definitions: tuple[str, ...] = ()
    harness_reach: tuple[str, ...] = ()
    tests_run: bool = False
    tests_passed: bool | None = None
    fail_to_pass: tuple[str, ...] = ()
    pass_to_pass: tuple[str, ...] = ()
    still_failing: tuple[str, ...] = ()
    pass_to_fail: tuple[str, ...] = ()
    test_errors: dict[str, str] = {}
    sandbox: str | None = None
    isolation: str | None = None
    reasons: tuple[str, ...] = ()
    summary: str = ""
    redacted_view: bool = False

    def redacted(self) -> PatchVerdict:
        """The verdict an agent may see: no ground truth and nothing of the hidden tests.

        Issue ids, categories and spans go (their count and severities stay, as in a redacted
        grade report); test names become ``test 1``, ``test 2`` ... because a name such as
        ``test_non_admin_is_refused`` is a hint; failure messages go. New findings stay: they
        are about the agent's own code.
        """
        names: dict[str, str] = {}

        def alias(name: str) -> str:
            return names.setdefault(name, f"test {len(names) + 1}")

        def hide(outcome: IssueOutcome, index: int) -> IssueOutcome:
            return outcome.model_copy(
                update={
                    "id": f"issue {index}",
                    "category": "redacted",
                    "span": None,
                    "detail": f"{outcome.status} (judged by {outcome.judged_by})",
                }
            )

        outcomes = [*self.fixed_issues, *self.remaining_issues]
        hidden = [hide(o, i) for i, o in enumerate(outcomes, start=1)]
        fixed = tuple(h for h in hidden if h.status == "fixed")
        remaining = tuple(h for h in hidden if h.status != "fixed")
        lists = {
            key: tuple(alias(n) for n in getattr(self, key))
            for key in ("fail_to_pass", "pass_to_pass", "still_failing", "pass_to_fail")
        }
        copy = self.model_copy(
            update={
                "targeted": tuple(f"issue {i}" for i in range(1, len(self.targeted) + 1)),
                "fixed_issues": fixed,
                "remaining_issues": remaining,
                "test_errors": {},
                "redacted_view": True,
                **lists,
            }
        )
        reasons = tuple(_reasons(copy))
        return copy.model_copy(update={"reasons": reasons, "summary": _summary(copy, reasons)})


@dataclass(frozen=True, slots=True)
class TestEvidence:
    """The verdict's test fields, as one typed value (``NO_TESTS`` when none ran)."""

    run: bool = False
    passed: bool | None = None
    fail_to_pass: tuple[str, ...] = ()
    pass_to_pass: tuple[str, ...] = ()
    still_failing: tuple[str, ...] = ()
    pass_to_fail: tuple[str, ...] = ()
    errors: dict[str, str] = field(default_factory=dict)
    sandbox: str | None = None
    isolation: str | None = None


NO_TESTS = TestEvidence()


def settle(draft: PatchVerdict) -> PatchVerdict:
    """``draft`` with ``reasons``, ``resolved`` and ``summary`` derived from its other fields."""
    reasons = tuple(_reasons(draft))
    resolved = draft.applied and draft.parses and not reasons
    final = draft.model_copy(update={"resolved": resolved, "reasons": reasons})
    return final.model_copy(update={"summary": _summary(final, reasons)})


def _reasons(v: PatchVerdict) -> list[str]:
    """Why the patch does not resolve the task; empty when it does."""
    if not v.applied:
        return [f"the patch was not applied ({v.error_kind})"]
    if not v.parses:
        return [f"the patched code does not parse ({v.syntax_error})"]
    reasons: list[str] = []
    if v.redacted_view and v.remaining_issues:
        severities = ", ".join(o.severity.value for o in v.remaining_issues)
        reasons.append(
            f"{len(v.remaining_issues)} targeted issue(s) not shown fixed (severity {severities})"
        )
    for outcome in () if v.redacted_view else v.remaining_issues:
        verb = "is not verified fixed" if outcome.status == "unverified" else "remains"
        reasons.append(f"issue {outcome.id} ({outcome.category}) {verb}: {outcome.detail}")
    if v.removed_definitions:
        reasons.append(
            "the patch removes or renames what the snippet defined: "
            + ", ".join(v.removed_definitions)
        )
    if v.harness_reach:
        reasons.append(
            "the patch reaches into the process that runs the tests ("
            + ", ".join(v.harness_reach)
            + "), so its test results cannot be trusted"
        )
    blocking = [f for f in v.new_findings if f.blocking]
    if blocking:
        listed = ", ".join(f"{f.category} ({f.severity}) at line {f.line}" for f in blocking)
        reasons.append(f"the patch introduces {listed}")
    if v.tests_run and not v.tests_passed:
        failing = [*v.still_failing, *v.pass_to_fail]
        if v.sandbox and v.sandbox != Verdict.OK.value:
            reasons.append(f"the tests ended in the sandbox with: {v.sandbox}")
        if failing:
            reasons.append(f"failing tests: {', '.join(failing)}")
        elif v.sandbox == Verdict.OK.value:
            reasons.append("the tests did not run to completion")
    return reasons


def _summary(v: PatchVerdict, reasons: Sequence[str]) -> str:
    if not v.applied:
        return f"The patch was rejected: {v.error}. Nothing was run."
    parts = [f"The patch applied ({v.apply_detail})"]
    if not v.parses:
        return f"{parts[0]} but the result does not parse: {v.syntax_error}."
    total = len(v.fixed_issues) + len(v.remaining_issues)
    by = sorted({o.judged_by for o in v.fixed_issues})
    parts.append(
        f"it fixes {len(v.fixed_issues)} of {total} targeted issue(s)"
        + (f" (judged by {' and '.join(by)})" if by else "")
    )
    blocking = sum(1 for f in v.new_findings if f.blocking)
    parts.append(
        f"introduces {len(v.new_findings)} new finding(s), {blocking} of severity medium or above"
    )
    if v.tests_run:
        parts.append(
            f"tests: {len(v.fail_to_pass)} fail-to-pass, {len(v.pass_to_pass)} pass-to-pass, "
            f"{len(v.still_failing) + len(v.pass_to_fail)} failing (sandbox: {v.sandbox})"
        )
    else:
        parts.append("no tests were run")
    text = "; ".join(parts) + "."
    if reasons:
        return text + " Not resolved: " + "; ".join(reasons) + "."
    return text + " Resolved."
