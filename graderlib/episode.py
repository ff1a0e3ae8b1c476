"""One review episode: a task, what the agent did so far, and the score graderlib gives it.

This is an environment's logic without any transport: every action grades the whole episode
(all findings so far + an :class:`EpisodeProgress`), and the step's reward is the change of
that score. Rewards therefore telescope: their sum over an episode is the final score,
whatever order the agent acted in. The grade is a :class:`graderlib.RunningGrade`: a report
step scores only its new findings, and the report equals ``grade()`` of them all, byte for
byte. A step needs only the grade's numbers (:class:`GradeSummary`); the full report is built
when someone asks for it (at the end of the episode, or for a trainer's logs).

It lives in graderlib, not in ``env/``, because two transports drive it: the OpenEnv server
(``env/server/environment.py``, which adds the wire types and the Rubric tree) and TRL's
in-process ``environment_factory`` (``graderlib.integrations``). Both therefore score an
episode identically, and dependencies still point one way: ``env`` -> graderlib.

The only ground truth that ever leaves this class is what the agent earned: matched issues
(through the redacted report) and hints it paid for.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Literal

from graderlib.findings import Finding
from graderlib.grading import RunningGrade
from graderlib.policy import EpisodeProgress, RewardPolicy
from graderlib.report import GradeReport, GradeSummary, public_reason
from graderlib.task import Issue, Task
from graderlib.taxonomy import Severity

ActionKind = Literal["report", "hint", "patch", "finalize"]

MAX_FINDINGS_PER_EPISODE = 200
log = logging.getLogger(__name__)
SEVERITY_ORDER = (Severity.CRITICAL, Severity.HIGH, Severity.MEDIUM, Severity.LOW)


class EpisodeError(RuntimeError):
    """An action the episode refuses (after the end, too many findings). Safe to show."""


@dataclass(frozen=True)
class PatchOutcome:
    """What patch verification said, reduced to what the episode needs.

    ``error`` says that verification reached NO verdict (the sandbox or a detector failed,
    not the patch): such a step is not scored. Its reward is ``None`` with the error beside
    it, never a silent 0 that a trainer would read as "this patch is worthless" (OpenEnv
    issue #1025). ``summary`` is always the REDACTED verdict's.
    """

    resolved: bool
    summary: str
    error: str | None = None


PatchVerifier = Callable[[Task, str], PatchOutcome]


def verify_patch_outcome(task: Task, patch: str) -> PatchOutcome:
    """Patch verification by :func:`graderlib.verify_patch`, reduced to a :class:`PatchOutcome`.

    The full verdict names issue ids and hidden test names; only its redacted summary may
    reach the agent. ``verify_patch`` never raises for anything in the patch: a ``ToolError``
    means a witness (a detector, the sandbox) could not testify, and any other exception is a
    failure of the verifier itself. Both are "no verdict"; the message of the second names
    only the exception's type (its text could quote the task).
    """
    from graderlib.detectors.external import ToolError
    from graderlib.verify import verify_patch  # the sandbox and detectors load on first use

    try:
        verdict = verify_patch(task, patch)
    except ToolError as error:  # its message names tools only
        log.warning("patch verification reached no verdict: %s", error)
        return PatchOutcome(resolved=False, summary="", error=f"no verdict: {error}")
    except Exception as error:
        log.warning("patch verification failed: %s", type(error).__name__)
        return PatchOutcome(
            resolved=False, summary="", error=f"the verifier failed ({type(error).__name__})"
        )
    public = verdict.redacted()
    return PatchOutcome(resolved=public.resolved, summary=public.summary)


@dataclass
class StepRecord:
    """The public trace of one step."""

    step: int
    kind: ActionKind
    verdict: str
    reward: float | None
    score: float
    findings: int = 0
    matched: int = 0
    error: str | None = None


@dataclass
class Episode:
    """The mutable state of one episode; owned by exactly one environment instance."""

    task: Task
    policy: RewardPolicy
    step_budget: int
    verify_patch: PatchVerifier
    hints_used: int = 0
    hinted_issue_ids: list[str] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)
    patch_resolved: bool = False
    patch_summary: str | None = None
    finalized: bool = False
    done: bool = False
    steps_used: int = 0
    score: float = 0.0
    history: list[StepRecord] = field(default_factory=list)
    public_id: str = ""
    grader: RunningGrade = field(init=False)
    summary: GradeSummary = field(init=False)  # the grade's numbers after the last step
    _report: GradeReport | None = field(default=None, init=False, repr=False)
    _public: GradeReport | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        self.public_id = self.task.public_id
        self.grader = RunningGrade(self.task, self.policy)
        self.summary = self._grade()

    # ------------------------------------------------------------------ the four actions

    def report_findings(self, findings: Sequence[Finding]) -> StepRecord:
        self._check_open()
        if len(self.findings) + len(findings) > MAX_FINDINGS_PER_EPISODE:
            raise EpisodeError(
                f"an episode takes at most {MAX_FINDINGS_PER_EPISODE} findings "
                f"({len(self.findings)} reported so far, {len(findings)} more sent)"
            )
        first = len(self.findings)
        self.grader.add(findings)
        summary = self._grade()
        new = self.grader.verdicts(first)  # verdicts come in the order of the findings
        statuses = [v["status"] for v in new]
        matched, duplicates = statuses.count("matched"), statuses.count("duplicate")
        lines = [
            f"finding {number} (line {v['line']}, {v['category']}): {v['status']} - "
            + public_reason(v["status"], v["reason"])
            for number, v in enumerate(new, 1)
        ]
        verdict = (
            f"{len(new)} finding(s): {matched} matched, "
            f"{duplicates} duplicate, "
            f"{len(new) - matched - duplicates} not matched; "
            f"{summary.issues_found}/{summary.issues_total} issues found\n" + "\n".join(lines)
        )
        return self._finish_step("report", verdict, summary, findings=len(new), matched=matched)

    def hint(self) -> StepRecord:
        self._check_open()
        found = self.summary.found_issue_ids
        open_issues = [i for i in self.task.issues if i.id not in found]
        candidates = [i for i in open_issues if i.id not in self.hinted_issue_ids]
        if not self.task.issues:
            verdict = "no hint: the task has no known issue (no penalty)"
        elif not open_issues:
            verdict = "no hint: every issue has been found (no penalty)"
        elif not candidates:
            verdict = "no new hint: every open issue already has its hint (no penalty)"
        else:
            issue = min(candidates, key=_hint_priority)
            text = hint_text(issue)
            self.hints_used += 1
            self.hinted_issue_ids.append(issue.id)
            self.hints.append(text)
            verdict = f"hint ({issue.severity.value} issue, -{self.policy.hint_penalty}): {text}"
        return self._finish_step("hint", verdict, self._grade())

    def patch(self, patch: str) -> StepRecord:
        self._check_open()
        outcome = self.verify_patch(self.task, patch)
        if outcome.error is not None:
            verdict = f"patch: no verdict ({outcome.error}); this step is not scored"
            return self._finish_step("patch", verdict, self._grade(), error=outcome.error)
        self.patch_summary = outcome.summary
        newly = outcome.resolved and not self.patch_resolved
        self.patch_resolved = self.patch_resolved or outcome.resolved
        if newly:
            state = "resolved (patch bonus earned)"
        elif outcome.resolved:
            state = "resolved (bonus already earned)"
        elif self.patch_resolved:
            state = "not resolved (an earlier patch already earned the bonus)"
        else:
            state = "not resolved"
        return self._finish_step("patch", f"patch {state}: {outcome.summary}", self._grade())

    def finalize(self) -> StepRecord:
        self._check_open()
        self.finalized = True
        summary = self._grade()
        verdict = (
            f"finalized: score {summary.score:.6f}, "
            f"{summary.issues_found}/{summary.issues_total} issues found"
        )
        return self._finish_step("finalize", verdict, summary)

    # ------------------------------------------------------------------------ helpers

    @property
    def findings(self) -> list[Finding]:
        """Every finding reported so far."""
        return self.grader.findings

    @property
    def remaining_steps(self) -> int:
        return max(0, self.step_budget - self.steps_used)

    @property
    def report(self) -> GradeReport:
        """The full report as of the last step (ground truth included); built when first
        asked for after a step, since a step itself needs only :attr:`summary`."""
        if self._report is None:
            self._report = self.grader.report(self._progress())
        return self._report

    def public_report(self) -> GradeReport:
        """The report the agent may see: redacted, naming the task by its public id; built
        when first asked for (the environment shows it only once the episode is over)."""
        if self._public is None:
            update = {"task_id": self.public_id}
            self._public = self.report.redacted().model_copy(update=update)
        return self._public

    def _check_open(self) -> None:
        if self.done:
            raise EpisodeError(
                "the episode is over (it was finalized or ran out of steps); "
                "call reset() to start a new one"
            )

    def _progress(self) -> EpisodeProgress:
        return EpisodeProgress(
            hints_used=self.hints_used,
            patch_resolved=self.patch_resolved,
            finalized=self.finalized,
        )

    def _grade(self) -> GradeSummary:
        return self.grader.summary(self._progress())

    def _finish_step(
        self,
        kind: ActionKind,
        verdict: str,
        summary: GradeSummary,
        *,
        findings: int = 0,
        matched: int = 0,
        error: str | None = None,
    ) -> StepRecord:
        self.steps_used += 1
        self.summary = summary
        self._report = self._public = None
        reward = None if error is not None else round(summary.score - self.score, 6)
        self.score = summary.score
        if self.finalized:
            self.done = True
        elif self.steps_used >= self.step_budget:
            self.done = True
            verdict += f"\nstep budget of {self.step_budget} used up: the episode is over"
        record = StepRecord(
            step=self.steps_used,
            kind=kind,
            verdict=verdict,
            reward=reward,
            score=summary.score,
            findings=findings,
            matched=matched,
            error=error,
        )
        self.history.append(record)
        return record


def _hint_priority(issue: Issue) -> tuple[int, int]:
    """Most severe first, then top to bottom: the hint most worth its penalty."""
    return SEVERITY_ORDER.index(issue.severity), issue.span.start


def hint_text(issue: Issue) -> str:
    """The author's hint, or where to look when the task has none."""
    if issue.hint:
        return issue.hint
    if issue.scope == "file":
        return "One problem concerns the file as a whole rather than one statement."
    if issue.span.start == issue.span.end:
        return f"Look again at line {issue.span.start}."
    return f"Look again at lines {issue.span.start}-{issue.span.end}."
