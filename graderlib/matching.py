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
from scipy.optimize import linear_sum_assignment

from graderlib.findings import Finding
from graderlib.scoring import RewardPolicy
from graderlib.task import SNIPPET, Task
from graderlib.taxonomy import Relation, default_taxonomy

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class TaskIndex:
    """The per-task arrays the matcher needs, built once per task.

    ``relations`` and ``clean_hits`` are filled lazily, one row per reported category, so a
    category's relation to every issue is worked out once per task, not once per grade.
    """

    starts: IntArray
    ends: IntArray
    file_scope: NDArray[np.bool_]
    clean_starts: IntArray
    clean_ends: IntArray
    relations: dict[str, NDArray[np.int8]] = field(default_factory=dict)
    clean_hits: dict[str, NDArray[np.bool_]] = field(default_factory=dict)

    def rows_for(self, task: Task, category: str) -> tuple[NDArray[np.int8], NDArray[np.bool_]]:
        if category not in self.relations:
            taxonomy = default_taxonomy()
            self.relations[category] = np.array(
                [max(taxonomy.relation(category, e) for e in i.categories) for i in task.issues],
                dtype=np.int8,
            )
            self.clean_hits[category] = np.array(
                [category in mark.categories for mark in task.clean], dtype=np.bool_
            )
        return self.relations[category], self.clean_hits[category]


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


def task_index(task: Task) -> TaskIndex:
    cached = task._matching_index
    if cached is None:
        cached = TaskIndex(
            starts=np.array([i.span.start for i in task.issues], dtype=np.int64),
            ends=np.array([i.span.end for i in task.issues], dtype=np.int64),
            file_scope=np.array([i.scope == "file" for i in task.issues], dtype=np.bool_),
            clean_starts=np.array([c.span.start for c in task.clean], dtype=np.int64),
            clean_ends=np.array([c.span.end for c in task.clean], dtype=np.int64),
        )
        task._matching_index = cached
    return cached  # type: ignore[no-any-return]


def _names_this_file(file: str | None) -> bool:
    return file is None or PurePosixPath(file.replace("\\", "/")).name == SNIPPET


def _category_matrices(
    task: Task, index: TaskIndex, categories: Sequence[str], credit: FloatArray
) -> tuple[FloatArray, NDArray[np.int8], NDArray[np.bool_]]:
    """Category quality and relation per (finding, issue), and which ok-marks it would hit."""
    unique = sorted(set(categories))
    relation = np.zeros((len(unique), len(task.issues)), dtype=np.int8)
    clean_hit = np.zeros((len(unique), len(task.clean)), dtype=np.bool_)
    for row, category in enumerate(unique):
        relation[row], clean_hit[row] = index.rows_for(task, category)
    lookup = {name: row for row, name in enumerate(unique)}
    rows = np.fromiter((lookup[c] for c in categories), dtype=np.int64, count=len(categories))
    return credit[relation[rows]], relation[rows], clean_hit[rows]


def match(
    task: Task, findings: Sequence[Finding], policy: RewardPolicy, weights: FloatArray
) -> Matching:
    """Score every pair and pick the optimal one-to-one assignment."""
    index = task_index(task)
    count = len(findings)
    line_list, last_list, category_list, other_file = [], [], [], []
    for finding in findings:
        line_list.append(finding.line)
        last_list.append(finding.last_line)
        category_list.append(finding.category)
        other_file.append(not _names_this_file(finding.file))
    lines = np.array(line_list, dtype=np.int64)
    last = np.array(last_list, dtype=np.int64)
    in_file = ~np.array(other_file, dtype=np.bool_) & (last <= task.line_count)

    credit = np.zeros(len(Relation), dtype=np.float64)
    credit[Relation.EXACT] = 1.0
    credit[Relation.PARENT_CHILD] = policy.parent_child_credit
    credit[Relation.SIBLING] = policy.sibling_credit
    category_quality, relation, clean_hit = _category_matrices(task, index, category_list, credit)

    # A range much wider than the issue is judged by its first line only.
    start = lines[:, None]
    slack = (index.ends - index.starts)[None, :] + 2 * policy.near_lines
    span_end = np.where((last - lines)[:, None] > slack, start, last[:, None])
    distance = np.maximum(0, np.maximum(index.starts[None, :] - span_end, start - index.ends))
    # Overlap (distance 0) and the near band share one formula; exact lines get the bonus.
    near = (1.0 - policy.line_bonus) * (1.0 - distance / (policy.near_lines + 1))
    location = np.where(distance <= policy.near_lines, near, 0.0)
    exact = (start == index.starts[None, :]) | index.file_scope[None, :]
    location[exact] = 1.0

    if len(task.clean):
        inside_mark = (index.clean_starts[None, :] <= start) & (start <= index.clean_ends[None, :])
        on_clean = np.asarray((clean_hit & inside_mark).any(axis=1), dtype=np.bool_)
    else:
        on_clean = np.zeros(count, dtype=np.bool_)
    usable = (in_file & ~on_clean)[:, None]
    location = np.where(usable, location, 0.0)

    value = category_quality * location * weights[None, :]
    issue_of = np.full(count, -1, dtype=np.int64)
    if count and len(task.issues):
        candidates = _first_of_identical(findings)
        rows, columns = linear_sum_assignment(value[candidates], maximize=True)
        for row, column in zip(candidates[rows], columns, strict=True):
            if value[row, column] > 0:
                issue_of[row] = column
    return Matching(
        category_quality=category_quality,
        relation=relation,
        location_quality=location,
        exact_line=exact & usable,
        distance=distance,
        on_clean_mark=on_clean,
        in_file=in_file,
        issue_of=issue_of,
    )


def _first_of_identical(findings: Sequence[Finding]) -> IntArray:
    """Rows that may be assigned: identical reports (line, range, category) count once."""
    seen: set[tuple[int, int, str]] = set()
    rows = []
    for row, finding in enumerate(findings):
        key = (finding.line, finding.last_line, finding.category)
        if key not in seen:
            seen.add(key)
            rows.append(row)
    return np.array(rows, dtype=np.int64)
