"""``grade()``: findings in, an explainable :class:`GradeReport` out.

Grading is deterministic and independent of the order of findings (see ``matching.match``);
verdicts are reported against the caller's indices.
Nothing here parses code; all spans were computed when the task was loaded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from graderlib.findings import Finding, parse_findings
from graderlib.matching import Matching, Pair, TaskIndex, match, task_index
from graderlib.scoring import (
    EpisodeProgress,
    GradeReport,
    RelationName,
    RewardPolicy,
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


def _keyword_fraction(finding: Finding, keywords: Sequence[str]) -> float:
    if not keywords:
        return 1.0
    text = f"{finding.message} {finding.recommendation or ''}".lower()
    return sum(k.lower() in text for k in keywords) / len(keywords)


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


def _report(
    task: Task,
    findings: Sequence[Finding],
    matching: Matching,
    policy: RewardPolicy,
    episode: EpisodeProgress | None,
) -> GradeReport:
    weights = matching.weights
    total_weight = sum(weights)
    matched_row_of_issue = matching.matched_row_of_issue
    index = task_index(task)
    issue_ids = [i.id for i in task.issues]
    vague_min_words = policy.vague_min_words
    vague_note = f"; vague: the message has fewer than {vague_min_words} words"
    verdicts: list[dict[str, Any]] = []
    false_positives: list[int] = []
    duplicates: list[int] = []
    recall = line_bonus = recommendation = 0.0
    penalties = {"false_positive": 0.0, "ok_violation": 0.0, "duplicate": 0.0, "vague": 0.0}
    penalty_of: dict[Status, float] = {
        "false_positive": policy.false_positive_penalty,
        "ok_violation": policy.ok_violation_penalty,
        "duplicate": policy.duplicate_penalty,
    }

    for row, (finding, result) in enumerate(zip(findings, matching.findings, strict=True)):
        duplicate_of = None
        pair = result.matched
        if pair is not None:
            status: Status = "matched"
            weight = weights[pair.column]
            credit = pair.reach
            if policy.recommendation_weight:
                share = policy.recommendation_weight
                keywords = task.issues[pair.column].fix_keywords
                credit *= (1 - share) + share * _keyword_fraction(finding, keywords)
                recommendation += weight * credit / total_weight
            points = weight * credit / total_weight
            recall += points
            if pair.exact_line:
                line_bonus += weight * pair.category_quality * policy.line_bonus / total_weight
            reason = _matched_reason(issue_ids[pair.column], pair)
        else:
            pair = result.duplicate
            if pair is not None:
                status = "duplicate"
                duplicate_of = matched_row_of_issue[pair.column]
                duplicates.append(row)
                reason = (
                    f"duplicate of finding #{duplicate_of}: issue "
                    f"{issue_ids[pair.column]!r} was already matched"
                )
            else:
                false_positives.append(row)
                if result.on_clean_mark:
                    status = "ok_violation"
                    reason = "reported on a safe look-alike marked ok for this category"
                else:
                    status = "false_positive"
                    reason = _false_positive_reason(task, index, finding, result.in_file, policy)
            points = -penalty_of[status]
            penalties[status] += penalty_of[status]
        vague = len(finding.message.split()) < vague_min_words
        if vague:
            points -= policy.vague_penalty
            penalties["vague"] += policy.vague_penalty
            reason += vague_note
        if pair is None:
            verdicts.append(
                {
                    "index": row,
                    "line": finding.line,
                    "category": finding.category,
                    "status": status,
                    "vague": vague,
                    "points": points,
                    "reason": reason,
                }
            )
        else:
            verdicts.append(
                {
                    "index": row,
                    "line": finding.line,
                    "category": finding.category,
                    "status": status,
                    "issue_id": issue_ids[pair.column],
                    "duplicate_of": duplicate_of,
                    "relation": _RELATION_NAMES[pair.relation],
                    "category_quality": pair.category_quality,
                    "location_quality": pair.location_quality,
                    "exact_line": pair.exact_line,
                    "vague": vague,
                    "points": points,
                    "reason": reason,
                }
            )

    if not task.issues:
        recall = 1.0
    review = _clamp(recall - sum(penalties.values()))
    components = {
        "recall": round(recall, 6),
        "line_bonus": round(line_bonus, 6),
        "recommendation_bonus": round(recommendation, 6),
        **{f"{name}_penalty": round(value, 6) for name, value in penalties.items()},
    }
    score = review
    if episode is not None:
        score = _episode_score(review, components, bool(task.issues), policy, episode)

    found = sorted(matched_row_of_issue)
    missed = [i for c, i in enumerate(task.issues) if c not in matched_row_of_issue]
    open_by_severity = dict.fromkeys(_SEVERITIES, 0)
    for issue in missed:
        open_by_severity[issue.severity] += 1
    # One validation pass in pydantic-core is cheaper than building each model in Python.
    return GradeReport.model_validate(
        {
            "task_id": task.id,
            "score": round(score, 6),
            "review_score": round(review, 6),
            "components": components,
            "issues_total": len(task.issues),
            "issues_found": len(found),
            "open_by_severity": open_by_severity,
            "matched_categories": sorted({task.issues[c].category for c in found}),
            "verdicts": verdicts,
            "missed": [
                {
                    "id": i.id,
                    "category": i.category,
                    "severity": i.severity,
                    "span": i.span,
                    "hint": i.hint,
                    "explanation": i.explanation,
                }
                for i in missed
            ],
            "false_positives": false_positives,
            "duplicates": duplicates,
        }
    )


def _episode_score(
    review: float,
    components: dict[str, float],
    has_issues: bool,
    policy: RewardPolicy,
    episode: EpisodeProgress,
) -> float:
    """An episode's score from its review's; the episode's terms are added to ``components``."""
    patch_share = policy.patch_bonus if has_issues else 0.0
    review_share = 1.0 - patch_share - policy.finalize_bonus
    patch = patch_share if episode.patch_resolved else 0.0
    finalize = policy.finalize_bonus if episode.finalized else 0.0
    hints = policy.hint_penalty * episode.hints_used
    components.update(hint_penalty=round(hints, 6), patch_bonus=patch, finalize_bonus=finalize)
    return _clamp(review * review_share + patch + finalize - hints)


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, value))


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
