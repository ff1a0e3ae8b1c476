"""Where a finding is matched: pair scores, then one optimal one-to-one assignment.

Every finding-issue pair gets ``category quality * location quality * issue weight``.
Pairs are chosen by ``scipy.optimize.linear_sum_assignment``, never greedily, so a finding
can only ever claim one issue and the total credit is the best any pairing could earn.

Location quality (``k = policy.near_lines``, ``b = policy.line_bonus``)::

    exact first line (or any line, for a file-scope issue)   1
    overlaps the issue's span                                 1 - b
    d lines away, 1 <= d <= k                                 (1 - b) * (1 - d / (k + 1))
    further, outside the file, or in another file             0

A finding whose range is much wider than the issue it would overlap is judged by its first
line only: a report spanning the whole file must not overlap everything. A finding on a safe
look-alike (an ``ok:`` mark of its category) cannot match anything.

Everything is computed on arrays, with the per-task part cached on the task, so grading never
parses and stays linear in the number of findings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath

import numpy as np
from numpy.typing import NDArray

from graderlib.findings import Finding
from graderlib.scoring import RewardPolicy
from graderlib.task import SNIPPET, Task
from graderlib.taxonomy import default_taxonomy

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(slots=True)
class TaskIndex:
    """The per-task arrays the matcher needs, built once per task.

    ``category_rows`` is filled lazily: a reported category's relation to every issue, and
    which ok-marks it names, are worked out once per task, not once per grade.
    """

    starts: IntArray
    ends: IntArray
    file_scope: NDArray[np.bool_]
    clean_starts: IntArray
    clean_ends: IntArray
    category_rows: dict[str, tuple[list[int], list[bool]]] = field(default_factory=dict)
    weights: tuple[RewardPolicy, list[float]] | None = None

    def rows_for(self, task: Task, category: str) -> tuple[list[int], list[bool]]:
        rows = self.category_rows.get(category)
        if rows is None:
            taxonomy = default_taxonomy()
            rows = (
                [max(taxonomy.relation(category, e) for e in i.categories) for i in task.issues],
                [category in mark.categories for mark in task.clean],
            )
            self.category_rows[category] = rows
        return rows


@dataclass(frozen=True, slots=True)
class Matching:
    """The assignment and the matrices it was made from (row = finding, column = issue)."""

    category_quality: FloatArray
    relation: NDArray[np.int8]
    location_quality: FloatArray
    exact_line: NDArray[np.bool_]
    distance: IntArray
    on_clean_mark: NDArray[np.bool_]
    in_file: NDArray[np.bool_]
    issue_of: IntArray  # issue column matched to each finding, -1 when unmatched
    found_in_reach: IntArray  # for an unmatched finding: the best already-matched issue, or -1
    nearest_issue: IntArray  # the issue with the smallest line distance, -1 without issues


def task_index(task: Task) -> TaskIndex:
    # Read the private slot directly: pydantic's __getattr__ for private attributes is slow,
    # and this is on every grade.
    private = task.__pydantic_private__
    assert private is not None
    cached = private.get("_matching_index")
    if cached is None:
        cached = TaskIndex(
            starts=np.array([i.span.start for i in task.issues], dtype=np.int64),
            ends=np.array([i.span.end for i in task.issues], dtype=np.int64),
            file_scope=np.array([i.scope == "file" for i in task.issues], dtype=np.bool_),
            clean_starts=np.array([c.span.start for c in task.clean], dtype=np.int64),
            clean_ends=np.array([c.span.end for c in task.clean], dtype=np.int64),
        )
        private["_matching_index"] = cached
    return cached


def _names_this_file(file: str | None) -> bool:
    return file is None or PurePosixPath(file.replace("\\", "/")).name == SNIPPET


def match(
    task: Task, findings: Sequence[Finding], policy: RewardPolicy, weights: FloatArray
) -> Matching:
    """Score every pair and pick the optimal one-to-one assignment."""
    index = task_index(task)
    count, issues = len(findings), len(task.issues)
    line_list: list[int] = []
    last_list: list[int] = []
    other_file: list[bool] = []
    relation_rows: list[list[int]] = []
    clean_rows: list[list[bool]] = []
    candidates: list[int] = []  # identical reports (line, range, category, file) count once
    seen: set[tuple[int, int, str, bool]] = set()
    for row, finding in enumerate(findings):
        last_line = finding.end_line or finding.line
        line_list.append(finding.line)
        last_list.append(last_line)
        elsewhere = finding.file is not None and not _names_this_file(finding.file)
        other_file.append(elsewhere)
        relation_row, clean_row = index.rows_for(task, finding.category)
        relation_rows.append(relation_row)
        clean_rows.append(clean_row)
        key = (finding.line, last_line, finding.category, elsewhere)
        if key not in seen:
            seen.add(key)
            candidates.append(row)
    lines = np.array(line_list, dtype=np.int64)
    last = np.array(last_list, dtype=np.int64)
    in_file = ~np.array(other_file, dtype=np.bool_) & (last <= task.line_count)
    relation = np.array(relation_rows, dtype=np.int8).reshape(count, issues)
    credit = np.array(
        [0.0, policy.sibling_credit, policy.parent_child_credit, 1.0], dtype=np.float64
    )  # indexed by Relation
    category_quality = credit[relation]

    # A range much wider than the issue is judged by its first line only.
    start = lines[:, None]
    slack = (index.ends - index.starts)[None, :] + 2 * policy.near_lines
    span_end = np.where((last - lines)[:, None] > slack, start, last[:, None])
    distance = np.maximum(0, np.maximum(index.starts[None, :] - span_end, start - index.ends))
    # Overlap (distance 0) and the near band share one formula; exact lines get the bonus.
    near = (1.0 - policy.line_bonus) * (1.0 - distance / (policy.near_lines + 1))
    exact = (start == index.starts[None, :]) | index.file_scope[None, :]
    location = np.where(exact, 1.0, np.where(distance <= policy.near_lines, near, 0.0))

    if len(task.clean):
        clean_hit = np.array(clean_rows, dtype=np.bool_).reshape(count, len(task.clean))
        inside_mark = (index.clean_starts[None, :] <= start) & (start <= index.clean_ends[None, :])
        on_clean = np.asarray((clean_hit & inside_mark).any(axis=1), dtype=np.bool_)
        usable = in_file & ~on_clean
        location[_look_alike_between(index, clean_hit, lines, distance)] = 0.0
    else:
        on_clean = np.zeros(count, dtype=np.bool_)
        usable = in_file
    location *= usable[:, None]

    reach = category_quality * location
    value = reach * weights[None, :]
    issue_of = np.full(count, -1, dtype=np.int64)
    found_in_reach = np.full(count, -1, dtype=np.int64)
    nearest = np.full(count, -1, dtype=np.int64)
    if count and issues:
        chosen = np.array(candidates, dtype=np.int64)
        # Imported here: scipy.optimize takes ~0.3 s to import, and `import graderlib` should
        # not pay that for users who only load tasks.
        from scipy.optimize import linear_sum_assignment

        rows, columns = linear_sum_assignment(value[chosen], maximize=True)
        keep = value[chosen[rows], columns] > 0
        issue_of[chosen[rows][keep]] = columns[keep]
        found = np.zeros(issues, dtype=np.bool_)
        found[issue_of[issue_of >= 0]] = True
        # Ties go to the lowest column, as argmax does.
        reach_found = np.where(found[None, :], reach, 0.0)
        best = reach_found.argmax(axis=1)
        found_in_reach = np.where(reach_found[np.arange(count), best] > 0, best, -1)
        found_in_reach[issue_of >= 0] = -1
        nearest = distance.argmin(axis=1)
    return Matching(
        category_quality=category_quality,
        relation=relation,
        location_quality=location,
        exact_line=exact & usable[:, None],
        distance=distance,
        on_clean_mark=on_clean,
        in_file=in_file,
        issue_of=issue_of,
        found_in_reach=found_in_reach,
        nearest_issue=nearest,
    )


def _look_alike_between(
    index: TaskIndex, clean_hit: NDArray[np.bool_], lines: IntArray, distance: IntArray
) -> NDArray[np.bool_]:
    """Pairs where a safe look-alike of the finding's category sits between it and the issue.

    Near credit must not jump over an ``ok:`` mark: a finding two lines below an issue, with
    the look-alike in between, points at the look-alike. Without this rule, moving a finding
    off the look-alike and further from the issue would raise its score.
    """
    line = lines[:, None, None]
    below = line > index.ends[None, :, None]
    low = np.where(below, index.ends[None, :, None], line)
    high = np.where(below, line, index.starts[None, :, None])
    starts, ends = index.clean_starts[None, None, :], index.clean_ends[None, None, :]
    between = clean_hit[:, None, :] & (starts < high) & (ends > low)
    return np.asarray(between.any(axis=2) & (distance > 0), dtype=np.bool_)
