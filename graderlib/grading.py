"""``grade()``: findings in, an explainable :class:`GradeReport` out.

Grading is deterministic and independent of the order of findings (see ``matching.match``);
verdicts are reported against the caller's indices. This module only assembles the report:
which finding matches which issue is decided in ``matching.py``, and every number comes
from ``policy.py``. Nothing here parses code; all spans were computed when the task was loaded.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from graderlib.findings import Finding, parse_findings
from graderlib.matching import FindingMatch, Matching, MatchState, Pair, TaskIndex, match
from graderlib.policy import EpisodeProgress, ReviewTerms, RewardPolicy, keyword_fraction
from graderlib.report import (
    FindingVerdict,
    GradeReport,
    GradeSummary,
    MissedIssue,
    RelationName,
    Status,
)
from graderlib.task import Task
from graderlib.taxonomy import Relation, Severity

_RELATION_NAMES: dict[int, RelationName] = {
    Relation.EXACT: "exact",
    Relation.PARENT_CHILD: "parent_child",
    Relation.SIBLING: "sibling",
    Relation.NONE: "none",
}
_SEVERITIES = tuple(Severity)
DEFAULT_POLICY = RewardPolicy()


def grade(
    task: Task,
    findings: Iterable[Finding | dict[str, object]],
    policy: RewardPolicy | None = None,
    *,
    episode: EpisodeProgress | None = None,
) -> GradeReport:
    """Grade ``findings`` against ``task`` under ``policy`` (the documented defaults if None)."""
    policy = policy or DEFAULT_POLICY
    given = list(findings)
    typed: list[Finding] = (
        given  # type: ignore[assignment]
        if all(type(f) is Finding for f in given)
        else parse_findings(given)
    )
    return _report(task, typed, match(task, typed, policy), policy, episode)


class RunningGrade:
    """An episode's grade, kept up to date as its findings arrive in batches.

    Each batch's findings are scored once (:class:`~graderlib.matching.MatchState`) and get
    their verdict once; the report then reuses every earlier verdict and the running terms.
    :meth:`report` is byte-identical to ``grade(task, every finding so far, policy, ...)``
    (``tests/test_running_grade.py`` states it as a law over random action sequences).

    The assignment is optimal over all findings, so a new finding may rightly take an issue
    from an earlier one (a better report of it, or the same report in words that sort first).
    Then the terms are summed again from the first finding whose outcome changed, starting
    from the totals as they stood before it and in the same order as ``grade()`` sums them,
    replaying the recorded terms of every later finding whose outcome did not change; only
    the changed ones get a new verdict.
    """

    def __init__(self, task: Task, policy: RewardPolicy | None = None) -> None:
        self.task = task
        self.policy = policy or DEFAULT_POLICY
        self._state = MatchState(task, self.policy)
        self._matching: Matching | None = None
        self._rows: list[_Row] = []
        self._terms = _RecordingTerms(self.policy, 0.0)

    @property
    def findings(self) -> list[Finding]:
        """Every finding so far, in the order they came."""
        return self._state.findings

    def add(self, findings: Sequence[Finding]) -> None:
        self._state.add(findings)
        self._matching = None

    def report(self, episode: EpisodeProgress | None = None) -> GradeReport:
        """The full report: every verdict (each validated once, when first reported)."""
        matching = self._current()
        rows = self._rows
        for row in rows:
            if row.model is None:
                row.model = FindingVerdict.model_validate(row.verdict)
        verdicts = [r.verdict for r in rows]
        models = [r.model for r in rows if r.model is not None]
        summary = _summarize(self.task, matching, self._terms, episode)
        return _assemble(self.task, summary, matching, verdicts, models)

    def summary(self, episode: EpisodeProgress | None = None) -> GradeSummary:
        """The report's numbers (equal to :meth:`report`'s), without building its verdicts."""
        return _summarize(self.task, self._current(), self._terms, episode)

    def verdicts(self, start: int = 0) -> list[Mapping[str, Any]]:
        """The verdicts of the findings from ``start`` on, as the fields of a
        :class:`~graderlib.report.FindingVerdict` (not validated: cheap enough for every step).
        """
        self._current()
        return [r.verdict for r in self._rows[start:]]

    def _current(self) -> Matching:
        matching = self._matching
        if matching is None:
            self._matching = matching = self._state.matching()
            self._update(matching)
        return matching

    def _update(self, matching: Matching) -> None:
        results, taken = matching.findings, matching.matched_row_of_issue

        def outcome(number: int) -> tuple[FindingMatch, int]:
            r = results[number]
            duplicate = r.duplicate
            return r, taken[duplicate.column] if duplicate is not None and r.matched is None else -1

        rows, done = self._rows, len(self._rows)
        # Only the rows the matcher worked out again can have a new outcome.
        suspects = range(done) if matching.changed is None else matching.changed
        changed = {n for n in suspects if n < done and rows[n].outcome != outcome(n)}
        if changed:
            # An earlier outcome changed: sum again in grade()'s order, from the totals as they
            # stood before the first changed finding (the ones before it are as they were).
            first = min(changed)
            terms = self._terms
            terms.restore(rows[first].totals_before)
            for number in range(first, done):
                row = rows[number]
                if number in changed:
                    rows[number] = self._row(number, outcome(number), matching, terms)
                else:
                    row.totals_before = terms.totals()
                    terms.replay(row.calls)
        elif not rows:
            self._terms = _RecordingTerms(self.policy, sum(matching.weights))
        terms = self._terms
        rows.extend(self._row(n, outcome(n), matching, terms) for n in range(done, len(results)))

    def _row(
        self,
        row: int,
        outcome: tuple[FindingMatch, int],
        matching: Matching,
        terms: _RecordingTerms,
    ) -> _Row:
        calls: list[tuple[str, tuple[Any, ...]]] = []
        terms.calls = calls
        before = terms.totals()
        verdict = _verdict(row, self.findings[row], outcome[0], self.task, matching, terms)
        return _Row(outcome, verdict, None, calls, before)


@dataclass(slots=True)
class _Row:
    """One finding's outcome, its verdict, and the calls that added its points to the terms."""

    outcome: tuple[FindingMatch, int]  # the match, and the row it duplicates (-1: none)
    verdict: dict[str, Any]
    model: FindingVerdict | None  # the verdict, validated once, when a report first needs it
    calls: list[tuple[str, tuple[Any, ...]]]
    totals_before: tuple[float, ...]  # the terms' totals before this finding was summed


@dataclass(slots=True)
class _RecordingTerms(ReviewTerms):
    """:class:`ReviewTerms` that records each call, so that a finding's terms can be replayed
    (the same float additions in the same order: the sums come out bit for bit)."""

    calls: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)

    def matched(
        self,
        weight: float,
        category_quality: float,
        location_quality: float,
        exact_line: bool,
        keyword_fraction: float,
    ) -> float:
        args = (weight, category_quality, location_quality, exact_line, keyword_fraction)
        self.calls.append(("matched", args))
        return ReviewTerms.matched(self, *args)

    def penalty(self, kind: str) -> float:
        self.calls.append(("penalty", (kind,)))
        return ReviewTerms.penalty(self, kind)

    def replay(self, calls: list[tuple[str, tuple[Any, ...]]]) -> None:
        for name, args in calls:
            getattr(ReviewTerms, name)(self, *args)

    def totals(self) -> tuple[float, ...]:
        """Every running total, to come back to (:meth:`restore`)."""
        return (
            self.matched_recall,
            self.line_bonus,
            self.recommendation_bonus,
            *self.penalties.values(),
        )

    def restore(self, totals: tuple[float, ...]) -> None:
        self.matched_recall, self.line_bonus, self.recommendation_bonus = totals[:3]
        for kind, total in zip(self.penalties, totals[3:], strict=True):
            self.penalties[kind] = total


def _report(
    task: Task,
    findings: Sequence[Finding],
    matching: Matching,
    policy: RewardPolicy,
    episode: EpisodeProgress | None,
) -> GradeReport:
    terms = ReviewTerms(policy, sum(matching.weights))
    verdicts = [
        _verdict(row, finding, result, task, matching, terms)
        for row, (finding, result) in enumerate(zip(findings, matching.findings, strict=True))
    ]
    return _assemble(task, _summarize(task, matching, terms, episode), matching, verdicts)


def _summarize(
    task: Task, matching: Matching, terms: ReviewTerms, episode: EpisodeProgress | None
) -> GradeSummary:
    """The report's numbers, from the matching and the terms that summed its points."""
    review, score, components = _components(terms, task, terms.policy, episode)
    issues = task.issues
    found = matching.matched_row_of_issue
    open_by_severity = dict.fromkeys(_SEVERITIES, 0)
    for column, issue in enumerate(issues):
        if column not in found:
            open_by_severity[issue.severity] += 1
    return GradeSummary(
        score=round(score, 6),
        review_score=round(review, 6),
        components=components,
        issues_total=len(issues),
        issues_found=len(found),
        open_by_severity=open_by_severity,
        matched_categories=tuple(sorted({issues[c].category for c in found})),
        found_issue_ids=frozenset(issues[c].id for c in found),
    )


def _assemble(
    task: Task,
    summary: GradeSummary,
    matching: Matching,
    verdicts: list[dict[str, Any]],
    models: list[FindingVerdict] | None = None,
) -> GradeReport:
    """The report of ``verdicts``, whose numbers ``summary`` holds.

    ``models``: the same verdicts, validated already (pydantic takes them as they are).
    """
    missed_models = _missed_issues(task)
    found = matching.matched_row_of_issue
    # One validation pass in pydantic-core is cheaper than building each model in Python.
    return GradeReport.model_validate(
        {
            "task_id": task.id,
            "score": summary.score,
            "review_score": summary.review_score,
            "components": summary.components,
            "issues_total": summary.issues_total,
            "issues_found": summary.issues_found,
            "open_by_severity": summary.open_by_severity,
            "matched_categories": list(summary.matched_categories),
            "verdicts": verdicts if models is None else models,
            "missed": [m for c, m in enumerate(missed_models) if c not in found],
            "false_positives": [
                v["index"] for v in verdicts if v["status"] in ("false_positive", "ok_violation")
            ],
            "duplicates": [v["index"] for v in verdicts if v["status"] == "duplicate"],
        }
    )


def _verdict(
    row: int,
    finding: Finding,
    result: FindingMatch,
    task: Task,
    matching: Matching,
    terms: ReviewTerms,
) -> dict[str, Any]:
    """What became of one finding, as the fields of a ``FindingVerdict``; scores it in ``terms``."""
    policy = terms.policy
    duplicate_of = None
    pair = result.matched
    if pair is not None:
        status: Status = "matched"
        issue = task.issues[pair.column]
        fraction = (
            keyword_fraction(finding.message, finding.recommendation, issue.fix_keywords)
            if policy.recommendation_weight
            else 1.0
        )
        points = terms.matched(
            matching.weights[pair.column],
            pair.category_quality,
            pair.location_quality,
            pair.exact_line,
            fraction,
        )
        reason = _matched_reason(issue.id, pair)
    else:
        pair = result.duplicate
        if pair is not None:
            status = "duplicate"
            duplicate_of = matching.matched_row_of_issue[pair.column]
            reason = (
                f"duplicate of finding #{duplicate_of}: issue "
                f"{task.issues[pair.column].id!r} was already matched"
            )
        elif result.on_clean_mark:
            status = "ok_violation"
            reason = "reported on a safe look-alike marked ok for this category"
        else:
            status = "false_positive"
            reason = _false_positive_reason(task, matching.index, finding, result.in_file, policy)
        points = terms.penalty(status)
    vague = len(finding.message.split()) < policy.vague_min_words
    if vague:
        points += terms.penalty("vague")
        reason += f"; vague: the message has fewer than {policy.vague_min_words} words"
    if pair is None:
        return {
            "index": row,
            "line": finding.line,
            "category": finding.category,
            "status": status,
            "vague": vague,
            "points": points,
            "reason": reason,
        }
    return {
        "index": row,
        "line": finding.line,
        "category": finding.category,
        "status": status,
        "issue_id": task.issues[pair.column].id,
        "duplicate_of": duplicate_of,
        "relation": _RELATION_NAMES[pair.relation],
        "category_quality": pair.category_quality,
        "location_quality": pair.location_quality,
        "exact_line": pair.exact_line,
        "vague": vague,
        "points": points,
        "reason": reason,
    }


def _components(
    terms: ReviewTerms, task: Task, policy: RewardPolicy, episode: EpisodeProgress | None
) -> tuple[float, float, dict[str, float]]:
    """``(review score, score, components)``: the episode's terms join in an episode."""
    review = terms.review()
    components = terms.components()
    if episode is None:
        return review, review, components
    score, episode_terms = policy.episode_score(review, bool(task.issues), episode)
    return review, score, {**components, **episode_terms}


def _missed_issues(task: Task) -> list[MissedIssue]:
    """Each issue as a report lists it when missed; validated once per task, not per grade."""
    return task.derived(
        "_missed_issues",
        lambda: [
            MissedIssue(
                id=i.id,
                category=i.category,
                severity=i.severity,
                span=i.span,
                hint=i.hint,
                explanation=i.explanation,
            )
            for i in task.issues
        ],
    )


def _matched_reason(issue_id: str, pair: Pair) -> str:
    if pair.relation == Relation.EXACT:
        category = "category exact"
    elif pair.relation == Relation.PARENT_CHILD:
        category = "category related (CWE parent/child)"
    else:
        category = "category related (CWE sibling)"
    if pair.exact_line:
        where = "exact line (+line bonus)"
    elif pair.distance == 0:
        where = "inside the issue's span"
    else:
        where = f"{pair.distance} line(s) from the issue"
    return f"matched issue {issue_id!r}: {category}, {where}"


def _false_positive_reason(
    task: Task, index: TaskIndex, finding: Finding, in_file: bool, policy: RewardPolicy
) -> str:
    if not in_file:
        if finding.last_line > task.line_count:
            return f"line {finding.last_line} is outside the file ({task.line_count} lines)"
        return f"file {finding.file!r} is not the reviewed file"
    nearest = index.nearest(finding.line, finding.last_line, policy.near_lines)
    if nearest is None:
        return "the code has no known issue"
    column, distance = nearest
    issue = task.issues[column]
    relations, _ = index.rows_for(finding.category)
    if not policy.category_credit(relations[column]) and distance <= policy.near_lines:
        return f"issue {issue.id!r} is here but the category {finding.category!r} does not fit it"
    return (
        f"no issue of category {finding.category!r} within {policy.near_lines} lines "
        f"(nearest issue {issue.id!r} is {distance} line(s) away)"
    )
