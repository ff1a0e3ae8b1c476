"""Does static analysis see a task's ground truth? (``graderlib tasks lint --confirm``)

Information for task authors, never an error: race conditions, missing authorisation and
off-by-one bugs are real and mostly beyond static analysis. An issue is confirmed when some
tool reports its category, or one related to it through the CWE hierarchy, on or next to its
span (anywhere in the file for file-scoped issues).
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from graderlib.detectors.scan import TOOLS, scan
from graderlib.locate import Span
from graderlib.near import CONFIRM_LINES, is_near
from graderlib.task import Task
from graderlib.taxonomy import Relation, default_taxonomy


class ConfirmResult(BaseModel):
    model_config = ConfigDict(frozen=True)

    issue_id: str
    category: str
    span: Span
    confirmed: bool
    rule_ids: tuple[str, ...] = ()


def confirm_task(
    task: Task, tools: Sequence[str] = TOOLS, *, tolerance: int = CONFIRM_LINES
) -> list[ConfirmResult]:
    """For every ground-truth issue: which detector rule ids (if any) see it."""
    taxonomy = default_taxonomy()
    result = scan(task.source, tools, path=str(task.id))
    confirmations = []
    for issue in task.issues:
        seen: list[str] = []
        # Any tool's sighting counts here, even one that consensus suppressed from the scan.
        for finding in (*result.findings, *(s.finding for s in result.suppressed)):
            near = issue.scope == "file" or (
                is_near(issue.span, finding.span.start, finding.span.end, tolerance)
            )
            related = any(
                taxonomy.relation(finding.category, expected) >= Relation.PARENT_CHILD
                for expected in issue.categories
            )
            if near and related:
                seen.extend(r for r in finding.rule_ids if r not in seen)
        confirmations.append(
            ConfirmResult(
                issue_id=issue.id,
                category=issue.category,
                span=issue.span,
                confirmed=bool(seen),
                rule_ids=tuple(seen),
            )
        )
    return confirmations
