"""Where a finding is matched: pair scores, then one optimal one-to-one assignment.

Every finding-issue pair gets ``category quality * location quality * issue weight``.
Pairs are chosen by ``scipy.optimize.linear_sum_assignment``, never greedily, so a finding
can only ever claim one issue and the total credit is the best any pairing could earn.

Location quality is ``policy.location_credit``: 1 on the issue's first line, less the
further away, 0 beyond ``policy.near_lines`` (and outside the file, or in another file).

A finding whose range is much wider than the issue it would overlap is judged by its first
line only: a report spanning the whole file must not overlap everything. A finding on a safe
look-alike (an ``ok:`` mark of its category) cannot match anything, and near credit never
jumps over such a look-alike.

The pair matrix is sparse: a finding reaches only the issues within ``k`` lines of it. So
the matcher never builds it. A per-task index lists, for each line, the issues in reach;
each distinct report is scored against those alone; and the solver only runs on the few
findings that compete for one issue. Grading never parses and stays linear in the number
of findings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import NamedTuple

from graderlib.findings import Finding
from graderlib.policy import RewardPolicy
from graderlib.task import SNIPPET, Task
from graderlib.taxonomy import Relation, Severity, default_taxonomy


class Pair(NamedTuple):
    """A finding and an issue within its reach, and what each part of the pair earns."""

    column: int  # the issue's index in ``task.issues``
    relation: Relation
    category_quality: float
    location_quality: float
    distance: int
    exact_line: bool

    @property
    def reach(self) -> float:
        """The credit before the issue's weight: how well this finding describes the issue."""
        return self.category_quality * self.location_quality


class FindingMatch(NamedTuple):
    """What the matcher decided for one finding."""

    in_file: bool
    on_clean_mark: bool
    matched: Pair | None  # the issue assigned to this finding
    duplicate: Pair | None  # unmatched, but within reach of an issue another finding matched


@dataclass(frozen=True, slots=True)
class Matching:
    """One :class:`FindingMatch` per finding, in the order given to :func:`match`."""

    findings: list[FindingMatch]
    matched_row_of_issue: dict[int, int]
    weights: list[float]  # each issue's weight under the policy
    index: TaskIndex  # the task's index, for explaining a miss (which issue is nearest)
    #: From :meth:`MatchState.matching`: the rows, of those the previous call returned, whose
    #: match may differ from that call's (None: treat every row as new).
    changed: Sequence[int] | None = None


_Key = tuple[int, int, str, bool]  # line, last line, category, in another file
SCORERS_KEPT = 4


@dataclass(slots=True)
class TaskIndex:
    """What the matcher needs from a task, worked out once per task and cached on it.

    It holds plain lists, not the task, so caching it on the task makes no cycle through the
    task (the index and its scorer refer to each other, which the collector handles).
    """

    line_count: int
    starts: list[int]
    ends: list[int]
    file_scope: list[bool]
    issue_categories: list[tuple[str, ...]]
    security: list[bool]
    severities: list[Severity]
    clean_spans: list[tuple[int, int]]
    clean_categories: list[tuple[str, ...]]
    category_rows: dict[str, tuple[list[Relation], list[tuple[int, int]]]] = field(
        default_factory=dict
    )
    nearest_by_line: list[tuple[int, int]] | None = None
    scorers: list[_Scorer] = field(default_factory=list)  # the latest first

    def rows_for(self, category: str) -> tuple[list[Relation], list[tuple[int, int]]]:
        """A category's relation to every issue, and the spans of the ok-marks that name it."""
        rows = self.category_rows.get(category)
        if rows is None:
            taxonomy = default_taxonomy()
            rows = (
                [max(taxonomy.relation(category, e) for e in c) for c in self.issue_categories],
                [
                    span
                    for span, names in zip(self.clean_spans, self.clean_categories, strict=True)
                    if category in names
                ],
            )
            self.category_rows[category] = rows
        return rows

    def scorer_for(self, policy: RewardPolicy) -> _Scorer:
        """The scorer of ``policy``, or of an equal one, built once.

        A server builds one environment per session and each holds its own (equal) policy,
        so a cache keyed by identity alone rebuilt the scorer on every reset when sessions
        took turns. A run rarely holds more than a few distinct policies; the last
        :data:`SCORERS_KEPT` are kept.
        """
        scorers = self.scorers
        for scorer in scorers:
            if scorer.policy is policy:
                return scorer
        for number, scorer in enumerate(scorers):
            if scorer.policy == policy:
                scorers.insert(0, scorers.pop(number))
                return scorer
        scorer = _Scorer(self, policy)
        scorers.insert(0, scorer)
        del scorers[SCORERS_KEPT:]
        return scorer

    def distance(self, column: int, line: int, last: int, near_lines: int) -> int:
        """Lines between a finding's range and an issue's span (0 when they overlap)."""
        start, end = self.starts[column], self.ends[column]
        if last - line > end - start + 2 * near_lines:
            last = line  # a range much wider than the issue is judged by its first line
        return max(0, start - last, line - end)

    def nearest(self, line: int, last: int, near_lines: int) -> tuple[int, int] | None:
        """``(issue, distance)`` of the issue closest to a range (ties: the first), if any."""
        if not self.starts:
            return None
        if line == last and line <= self.line_count:
            if self.nearest_by_line is None:
                self.nearest_by_line = [
                    self._nearest(n, n, near_lines) for n in range(self.line_count + 1)
                ]
            return self.nearest_by_line[line]
        return self._nearest(line, last, near_lines)

    def _nearest(self, line: int, last: int, near_lines: int) -> tuple[int, int]:
        distances = [self.distance(c, line, last, near_lines) for c in range(len(self.starts))]
        best = min(range(len(distances)), key=distances.__getitem__)
        return best, distances[best]


def task_index(task: Task) -> TaskIndex:
    """The task's :class:`TaskIndex`, built on first use."""
    return task.derived("_matching_index", lambda: _build_index(task))


def _build_index(task: Task) -> TaskIndex:
    taxonomy = default_taxonomy()
    return TaskIndex(
        line_count=task.line_count,
        starts=[i.span.start for i in task.issues],
        ends=[i.span.end for i in task.issues],
        file_scope=[i.scope == "file" for i in task.issues],
        issue_categories=[i.categories for i in task.issues],
        security=[taxonomy.is_security(i.category) for i in task.issues],
        severities=[i.severity for i in task.issues],
        clean_spans=[(c.span.start, c.span.end) for c in task.clean],
        clean_categories=[c.categories for c in task.clean],
    )


def _names_this_file(file: str | None) -> bool:
    return file is None or PurePosixPath(file.replace("\\", "/")).name == SNIPPET


class _Scorer:
    """Scores reports against one task under one policy; built once per (task, policy)."""

    def __init__(self, index: TaskIndex, policy: RewardPolicy) -> None:
        self.index = index
        self.policy = policy
        self.near_lines = k = policy.near_lines
        self.credit = [policy.category_credit(relation) for relation in Relation]
        self.near = [policy.location_credit(d) for d in range(k + 1)]
        self.weights = [
            policy.issue_weight(severity, security)
            for severity, security in zip(index.severities, index.security, strict=True)
        ]
        # For each line, (issue, distance) of the issues a one-line finding there reaches.
        self.reach: list[list[tuple[int, int]]] = [[] for _ in range(index.line_count + 1)]
        for column, (start, end) in enumerate(zip(index.starts, index.ends, strict=True)):
            if index.file_scope[column]:
                low, high = 1, index.line_count
            else:
                low, high = max(1, start - k), min(index.line_count, end + k)
            for line in range(low, high + 1):
                self.reach[line].append((column, index.distance(column, line, line, k)))

    def score(self, key: _Key) -> tuple[bool, bool, list[Pair]]:
        """``(in file, on an ok-mark, pairs with positive reach)`` for one distinct report."""
        line, last, category, elsewhere = key
        index = self.index
        if elsewhere or last > index.line_count:
            return False, False, []
        relations, spans = index.rows_for(category)
        if spans and any(start <= line <= end for start, end in spans):
            return True, True, []
        if last == line:
            candidates: Sequence[tuple[int, int]] = self.reach[line]
        else:
            candidates = [
                (column, distance)
                for column in range(len(index.starts))
                if (distance := index.distance(column, line, last, self.near_lines))
                <= self.near_lines
                or index.file_scope[column]
            ]
        pairs = []
        for column, distance in candidates:
            relation = relations[column]
            quality = self.credit[relation]
            if not quality:
                continue
            exact = line == index.starts[column] or index.file_scope[column]
            if not exact and distance and spans and self._look_alike_between(column, line, spans):
                continue
            location = 1.0 if exact else self.near[distance]
            pairs.append(Pair(column, relation, quality, location, distance, exact))
        return True, False, pairs

    def _look_alike_between(self, column: int, line: int, spans: list[tuple[int, int]]) -> bool:
        """Whether a safe look-alike of the category lies between the finding and the issue.

        Near credit must not jump over an ``ok:`` mark: a finding two lines below an issue,
        with the look-alike in between, points at the look-alike. Without this rule, moving a
        finding off the look-alike and further from the issue would raise its score.
        """
        start, end = self.index.starts[column], self.index.ends[column]
        low, high = (end, line) if line > end else (line, start)
        return any(mark_start < high and mark_end > low for mark_start, mark_end in spans)


def match(task: Task, findings: Sequence[Finding], policy: RewardPolicy) -> Matching:
    """Score every pair in reach and pick the optimal one-to-one assignment.

    Identical reports (same lines, category and file) are scored once, and only one of them
    may be assigned: the others can only be duplicates. The result does not depend on the
    order of ``findings``: the assigned one of identical reports is the least by content,
    and the solver sees competing reports sorted by where and what they report.
    """
    state = MatchState(task, policy)
    state.add(findings)
    return state.matching()


class MatchState:
    """The matcher's running state over findings that arrive in batches (an episode's steps).

    :meth:`add` scores only the reports it has not seen; :meth:`matching` then solves the
    assignment over everything so far. The assignment is global on purpose: it is optimal,
    so a new finding may take an issue from an earlier one that fits it less well, and the
    result must equal :func:`match` of all the findings at once. Solving it is cheap (each
    report's pairs are already scored; the solver only sees reports that compete).
    """

    def __init__(self, task: Task, policy: RewardPolicy) -> None:
        self._scorer = task_index(task).scorer_for(policy)
        self.findings: list[Finding] = []
        self._keys: list[_Key] = []
        self._scored: dict[_Key, tuple[bool, bool, list[Pair]]] = {}
        self._assignable: dict[_Key, int] = {}  # per distinct report with pairs: who may match
        self._rows_reaching: dict[int, list[int]] = {}  # issue -> rows with a pair on it
        self._results: list[FindingMatch] = []  # the last matching's, row by row
        self._taken: dict[int, int] = {}  # the last matching's issue -> row
        # Components of competing reports, built only once two reports reach one issue; until
        # then every report is a component of its own, and the issues reached are enough.
        self._components: _Components | None = None
        self._reached: set[int] = set()
        self._new_keys: list[_Key] = []  # reports that can match, not solved yet
        self._assigned: dict[_Key, Pair] = {}  # each solved component's reports -> their issue

    def add(self, findings: Sequence[Finding]) -> None:
        scorer, scored, assignable = self._scorer, self._scored, self._assignable
        everything = self.findings
        for finding in findings:
            row = len(everything)
            everything.append(finding)
            file = finding.file
            key = (
                finding.line,
                finding.end_line or finding.line,
                finding.category,
                file is not None and not _names_this_file(file),
            )
            self._keys.append(key)
            result = scored.get(key)
            if result is None:
                scored[key] = result = scorer.score(key)
                if result[2]:
                    assignable[key] = row
                    self._new_keys.append(key)
            elif result[2] and _content(finding) < _content(everything[assignable[key]]):
                assignable[key] = row  # the same report, so the same issue: only its row moves
            for pair in result[2]:
                self._rows_reaching.setdefault(pair.column, []).append(row)

    def _dirty_components(self) -> list[list[_Key]]:
        """The components that new reports joined, each to be solved (again)."""
        new, self._new_keys = self._new_keys, []
        scored, components = self._scored, self._components
        if components is None:
            reached = self._reached
            columns = [pair.column for key in new for pair in scored[key][2]]
            if reached.isdisjoint(columns) and len(columns) == len(set(columns)):
                reached.update(columns)  # still no competition: each report stands alone
                return [[key] for key in new]
            components = self._components = _Components()
            new = list(self._assignable)  # the first competition: group every report so far
        for key in new:
            components.join(key, [pair.column for pair in scored[key][2]])
        return components.take_dirty()

    def matching(self) -> Matching:
        """The optimal assignment over every finding so far.

        The assignment is solved per connected component of reports and the issues they
        reach (:func:`_assign`), and a component only again once a new report that can
        match has joined it: a repeat of an earlier report changes nothing the assignment
        depends on. The per-row results are worked out again only where they may have
        changed. A row's match depends only on the issues its pairs reach: whether it holds
        one, and which of them other rows hold. So only the new rows and the rows reaching an
        issue whose holder changed since the previous call are worked out again, and the
        result names them (``Matching.changed``) for callers that keep per-row work of their
        own.
        """
        keys, scored, assignable = self._keys, self._scored, self._assignable
        solved = self._assigned
        weights = self._scorer.weights
        for component in self._dirty_components():
            for key in component:
                solved.pop(key, None)
            if len(component) == 1:  # a lone report: its best pair (as _assign would choose)
                key = component[0]
                solved[key] = _best_pair(scored[key][2], weights)
            else:
                solved.update(_assign({key: scored[key][2] for key in component}, weights))
        assigned = {assignable[key]: pair for key, pair in solved.items()}
        matched_row_of_issue = {pair.column: row for row, pair in assigned.items()}
        before, results = self._taken, self._results
        done = len(results)
        shifted = {
            column
            for column in before.keys() | matched_row_of_issue.keys()
            if before.get(column) != matched_row_of_issue.get(column)
        }
        changed = sorted({row for c in shifted for row in self._rows_reaching[c] if row < done})
        for row in (*changed, *range(done, len(keys))):
            in_file, on_clean, pairs = scored[keys[row]]
            matched = assigned.get(row)
            duplicate = None
            if matched is None and pairs:
                taken = [p for p in pairs if p.column in matched_row_of_issue]
                if taken:
                    # The closest-fitting issue already claimed; ties go to the lowest column.
                    duplicate = max(taken, key=lambda p: (p.reach, -p.column))
            match = FindingMatch(in_file, on_clean, matched, duplicate)
            if row < done:
                results[row] = match
            else:
                results.append(match)
        self._taken = matched_row_of_issue
        return Matching(
            list(results),
            matched_row_of_issue,
            self._scorer.weights,
            self._scorer.index,
            changed,
        )


class _Components:
    """Reports that can match, grouped into the connected components of "reaches an issue".

    Two reports compete only if a chain of shared issues links them, so each component can
    be solved alone and the union of the solutions is optimal for all of them. A report that
    joins marks its (possibly merged) component for solving again.
    """

    def __init__(self) -> None:
        self._of_column: dict[int, int] = {}  # issue -> its component's id
        self._members: dict[int, list[_Key]] = {}  # component id -> its reports
        self._columns: dict[int, list[int]] = {}  # component id -> its issues
        self._dirty: set[int] = set()
        self._next = 0

    def join(self, key: _Key, columns: Sequence[int]) -> None:
        of_column = self._of_column
        ids = {of_column[c] for c in columns if c in of_column}
        if not ids:  # the common case: a report alone with its issues
            into, self._next = self._next, self._next + 1
            self._members[into], self._columns[into] = [key], list(columns)
            for column in columns:
                of_column[column] = into
            self._dirty.add(into)
            return
        into = max(sorted(ids), key=lambda i: len(self._members[i]))
        for other in ids - {into}:
            self._members[into] += self._members.pop(other)
            for column in self._columns.pop(other):
                of_column[column] = into
                self._columns[into].append(column)
            self._dirty.discard(other)
        self._members[into].append(key)
        for column in columns:
            if column not in of_column:
                of_column[column] = into
                self._columns[into].append(column)
        self._dirty.add(into)

    def take_dirty(self) -> list[list[_Key]]:
        """The reports of each component to solve again, once."""
        dirty = [self._members[i] for i in self._dirty]
        self._dirty = set()
        return dirty


def _content(finding: Finding) -> tuple[str, ...]:
    """What tells identical reports apart, for a choice that ignores their order."""
    return (
        finding.severity or "",
        finding.message,
        finding.recommendation or "",
        finding.file or "",
        finding.rule_id or "",
    )


def _best_pair(pairs: list[Pair], weights: Sequence[float]) -> Pair:
    """A lone report's pair with the most weighted credit (ties: the lowest issue)."""
    if len(pairs) == 1:
        return pairs[0]
    return max(pairs, key=lambda p: (p.reach * weights[p.column], -p.column))


def _assign(candidates: dict[_Key, list[Pair]], weights: Sequence[float]) -> dict[_Key, Pair]:
    """The assignment of one component's reports to issues with the largest total weighted
    credit.

    The choice among assignments of equal credit must not depend on the order the reports
    came in, so every rule below orders by content: a lone report takes its best pair (ties:
    the lowest issue); reports competing for a single issue give it to the best of them
    (ties: the least report); anything larger goes to the Hungarian solver with the reports
    sorted by what they report.
    """
    if len(candidates) == 1:
        ((key, pairs),) = candidates.items()
        return {key: _best_pair(pairs, weights)}
    columns = sorted({p.column for pairs in candidates.values() for p in pairs})
    if len(columns) == 1:
        weight = weights[columns[0]]
        best = min(candidates, key=lambda k: (-candidates[k][0].reach * weight, k))
        return {best: candidates[best][0]}
    # Imported here: scipy.optimize takes ~0.3 s to import, and `import graderlib` should
    # not pay that for users who only load tasks.
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    rows = sorted(candidates)  # distinct keys: an order-free order
    position = {c: n for n, c in enumerate(columns)}
    value = np.zeros((len(rows), len(columns)), dtype=np.float64)
    pair_at: dict[tuple[int, int], Pair] = {}
    for r, key in enumerate(rows):
        for pair in candidates[key]:
            value[r, position[pair.column]] = pair.reach * weights[pair.column]
            pair_at[r, position[pair.column]] = pair
    chosen_rows, chosen_columns = linear_sum_assignment(value, maximize=True)
    return {
        rows[r]: pair_at[r, c]
        for r, c in zip(chosen_rows.tolist(), chosen_columns.tolist(), strict=True)
        if (r, c) in pair_at
    }
