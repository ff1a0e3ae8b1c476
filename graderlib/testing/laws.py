"""The laws a code-review grader must obey, as functions that hypothesis drives.

Each law takes a :class:`~graderlib.testing.adapters.GraderAdapter`, draws tasks and reports
with :mod:`graderlib.testing.strategies`, and raises :class:`LawViolation` (an
``AssertionError``) naming the law and the smallest counterexample hypothesis found. A grader
that raises, hangs past the budget or returns something that is not a number violates the law
it was being checked against. Runs are derandomised: the same grader meets the same examples
every time, so a conformance table is reproducible.

What each law needs from a grader is stated in :data:`LAWS`; a law whose need the adapter's
``capabilities`` do not cover is skipped, never silently passed.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import Flaky, Unsatisfiable

from graderlib.findings import Finding
from graderlib.task import Task
from graderlib.testing.adapters import FILE_SCOPE, OPTIMAL_ASSIGNMENT, GraderAdapter
from graderlib.testing.strategies import (
    RATIONALE,
    cases,
    category_ids,
    far_lines,
    oracle,
    shotgun,
    stuffing_text,
    tasks,
    unrelated_to_file_issues,
)

EPSILON = 1e-9
FAR = 3  # lines: a finding more than this far from every issue is somewhere else
SHOTGUN_CEILING = 0.1
TEN_THOUSAND_BUDGET_S = 10.0
# One fixed seed for every law: runs are reproducible, and since each law draws its task
# first, the laws meet the same tasks, which are loaded once (see strategies.build_task).
SEED = 20261129


class NoExamples(Exception):
    """The tasks given to a law never offered a case it applies to: nothing was checked."""


class LawViolation(AssertionError):
    """A law does not hold: ``law`` names it, ``counterexample`` says on what."""

    def __init__(self, law: str, counterexample: str) -> None:
        self.law = law
        self.counterexample = counterexample
        super().__init__(f"law {law!r} violated: {counterexample}")


@dataclass(frozen=True)
class Law:
    """One law: its name, what it says, what it needs, and the function that checks it."""

    name: str
    statement: str
    needs: frozenset[str]
    check: Callable[..., None]


def describe(task: Task, findings: Sequence[Finding], limit: int = 8) -> str:
    """A counterexample a person can read: the task's ground truth and the report."""
    issues = (
        ", ".join(
            f"{i.category}@{i.span}" + ("(file)" if i.scope == "file" else "") for i in task.issues
        )
        or "none"
    )
    clean = ", ".join(f"{'/'.join(c.categories)}@{c.span}" for c in task.clean) or "none"
    shown = ", ".join(f"{f.category}@{f.line}" for f in findings[:limit])
    more = f" ... (+{len(findings) - limit} more)" if len(findings) > limit else ""
    return (
        f"task with {task.line_count} lines, issues [{issues}], ok marks [{clean}]; "
        f"report of {len(findings)} finding(s) [{shown}{more}]"
    )


def _score(grader: GraderAdapter, task: Task, findings: Sequence[Finding]) -> float:
    """The grader's score; anything but a finite number is itself a violation."""
    try:
        value = grader.grade(task, list(findings))
    except Exception as error:  # the grader under test may fail in any way
        raise AssertionError(
            f"the grader raised {type(error).__name__}: {error} on {describe(task, findings)}"
        ) from None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise AssertionError(f"the grader returned {value!r} on {describe(task, findings)}")
    return float(value)


def _run(
    law: str,
    strategy: st.SearchStrategy[Any],
    body: Callable[[Any], None],
    examples: int,
    shrink: bool,
) -> None:
    # Shrinking finds the smallest counterexample but replays the grader a thousand times or
    # more; it is worth it when a person will read the result, so it is asked for, not assumed.
    phases = [Phase.explicit, Phase.reuse, Phase.generate] + ([Phase.shrink] if shrink else [])

    @settings(
        phases=phases,
        max_examples=examples,
        deadline=None,
        derandomize=False,
        database=None,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
    )
    @seed(SEED)
    @given(strategy)
    def check(case: Any) -> None:
        body(case)

    try:
        check()
    except LawViolation:
        raise
    except AssertionError as error:
        raise LawViolation(law, str(error)) from None
    except Unsatisfiable:
        raise NoExamples(f"no drawn task offered a case for {law!r}") from None
    except Flaky as flaky:
        first = next(iter(getattr(flaky, "exceptions", ())), flaky)
        raise LawViolation(
            law, f"the grader answered the same input differently (flaky): {first}"
        ) from None


_PICK = st.integers(min_value=0, max_value=2**16)  # an index, taken modulo a list's length


def _task_strategy(
    grader: GraderAdapter,
    given_tasks: st.SearchStrategy[Task] | None,
    with_issues: bool | None = None,
) -> st.SearchStrategy[Task]:
    if given_tasks is not None:
        if with_issues is None:
            return given_tasks
        return given_tasks.filter(lambda t: bool(t.issues) == with_issues)
    return tasks(with_issues=with_issues, file_scope=FILE_SCOPE in grader.capabilities)


def right_answer(task: Task) -> list[Finding]:
    """The oracle as a grader of any style expects it: exact line, category, and the why."""
    return [
        Finding(line=f.line, category=f.category, message=f"{RATIONALE}. {stuffing_text(i)}")
        for f, i in zip(oracle(task), task.issues, strict=True)
    ]


# ---------------------------------------------------------------------------------- laws


def bounded_and_deterministic(
    grader: GraderAdapter, *, tasks: Any = None, examples: int = 200, shrink: bool = False
) -> None:
    """Every score is in [0, 1], and grading the same report twice gives the same score."""

    def body(case: tuple[Task, list[Finding]]) -> None:
        task, findings = case
        first, second = _score(grader, task, findings), _score(grader, task, findings)
        assert 0.0 <= first <= 1.0, f"score {first} outside [0, 1] on {describe(task, findings)}"
        assert first == second, f"scores {first} then {second} on {describe(task, findings)}"

    _run("bounded_and_deterministic", cases(_task_strategy(grader, tasks)), body, examples, shrink)


def order_invariant(
    grader: GraderAdapter, *, tasks: Any = None, examples: int = 200, shrink: bool = False
) -> None:
    """The order of findings in a report never changes its score."""
    strategy = st.tuples(cases(_task_strategy(grader, tasks)), st.randoms(use_true_random=False))

    def body(case: tuple[tuple[Task, list[Finding]], Any]) -> None:
        (task, findings), rng = case
        shuffled = list(findings)
        rng.shuffle(shuffled)
        first, second = _score(grader, task, findings), _score(grader, task, shuffled)
        assert abs(first - second) <= EPSILON, (
            f"{first} in one order, {second} in another, on {describe(task, findings)}"
        )

    _run("order_invariant", strategy, body, examples, shrink)


def oracle_scores_one(
    grader: GraderAdapter, *, tasks: Any = None, examples: int = 200, shrink: bool = False
) -> None:
    """One exact finding per issue, with its category and a rationale, scores 1.0."""

    def body(task: Task) -> None:
        answer = right_answer(task)
        score = _score(grader, task, answer)
        assert abs(score - 1.0) <= EPSILON, f"the oracle scores {score} on {describe(task, answer)}"

    _run("oracle_scores_one", _task_strategy(grader, tasks, True), body, examples, shrink)


def empty_report(
    grader: GraderAdapter, *, tasks: Any = None, examples: int = 200, shrink: bool = False
) -> None:
    """No findings score 0 on a task with issues and 1.0 on a clean task."""

    def body(task: Task) -> None:
        score = _score(grader, task, [])
        expected = 0.0 if task.issues else 1.0
        assert abs(score - expected) <= EPSILON, (
            f"an empty report scores {score}, not {expected}, on {describe(task, [])}"
        )

    strategy = st.one_of(_task_strategy(grader, tasks, True), _task_strategy(grader, tasks, False))
    _run("empty_report", strategy, body, examples, shrink)


def duplicates_never_raise(
    grader: GraderAdapter, *, tasks: Any = None, examples: int = 200, shrink: bool = False
) -> None:
    """Repeating a finding of a report never raises its score."""
    strategy = st.tuples(cases(_task_strategy(grader, tasks)), _PICK)

    def body(case: tuple[tuple[Task, list[Finding]], int]) -> None:
        (task, findings), pick = case
        if not findings:
            return
        copy = findings[pick % len(findings)]
        before, after = _score(grader, task, findings), _score(grader, task, [*findings, copy])
        assert after <= before + EPSILON, (
            f"repeating {copy.category}@{copy.line} raised {before} to {after} on "
            f"{describe(task, findings)}"
        )

    _run("duplicates_never_raise", strategy, body, examples, shrink)


def false_positive_never_raises(
    grader: GraderAdapter, *, tasks: Any = None, examples: int = 200, shrink: bool = False
) -> None:
    """Adding a finding far from every issue never raises the score."""

    strategy = st.tuples(cases(_task_strategy(grader, tasks)), _PICK, _PICK)

    def body(case: tuple[tuple[Task, list[Finding]], int, int]) -> None:
        (task, findings), where, which = case
        lines = far_lines(task, FAR)
        categories = unrelated_to_file_issues(task)
        if not lines or not categories:
            return
        extra = Finding(
            line=lines[where % len(lines)],
            category=categories[which % len(categories)],
            message=RATIONALE,
        )
        before, after = _score(grader, task, findings), _score(grader, task, [*findings, extra])
        assert after <= before + EPSILON, (
            f"adding {extra.category}@{extra.line} raised {before} to {after} on "
            f"{describe(task, findings)}"
        )

    _run("false_positive_never_raises", strategy, body, examples, shrink)


def moving_away_never_raises(
    grader: GraderAdapter, *, tasks: Any = None, examples: int = 200, shrink: bool = False
) -> None:
    """A finding moved line by line away from its issue never scores more."""
    strategy = st.tuples(_task_strategy(grader, tasks, True), _PICK, st.sampled_from([-1, 1]))

    def body(case: tuple[Task, int, int]) -> None:
        task, pick, direction = case
        placed = [i for i in task.issues if i.scope != "file"]
        if not placed:
            return
        issue = placed[pick % len(placed)]
        others = [o for o in task.issues if o is not issue and o.scope != "file"]
        edge = issue.span.start if direction < 0 else issue.span.end
        previous: tuple[int, float] | None = None
        for step in range(0, FAR + 5):
            line = edge + direction * step if step else issue.span.start
            if not 1 <= line <= task.line_count:
                break
            if any(o.span.distance(line, line) <= FAR + 1 for o in others):
                break  # closer to another issue: a different question
            report = [Finding(line=line, category=issue.category, message=RATIONALE)]
            score = _score(grader, task, report)
            if previous is not None:
                assert score <= previous[1] + EPSILON, (
                    f"moving the finding for {issue.category}@{issue.span} from line "
                    f"{previous[0]} to {line} raised {previous[1]} to {score} on "
                    f"{describe(task, report)}"
                )
            previous = (line, score)

    _run("moving_away_never_raises", strategy, body, examples, shrink)


def shotgun_scores_little(
    grader: GraderAdapter, *, tasks: Any = None, examples: int = 200, shrink: bool = False
) -> None:
    """Every category on every line scores at most 0.1."""

    def body(task: Task) -> None:
        report = shotgun(task)
        score = _score(grader, task, report)
        assert score <= SHOTGUN_CEILING + EPSILON, (
            f"the shotgun scores {score} > {SHOTGUN_CEILING} on {describe(task, report)}"
        )

    _run("shotgun_scores_little", _task_strategy(grader, tasks), body, examples, shrink)


def keywords_never_replace_location(
    grader: GraderAdapter, *, tasks: Any = None, examples: int = 200, shrink: bool = False
) -> None:
    """Far from an issue, its words in a message earn nothing that plain words do not."""

    strategy = st.tuples(_task_strategy(grader, tasks, True), _PICK, _PICK)

    def body(case: tuple[Task, int, int]) -> None:
        task, which, where = case
        lines = far_lines(task, FAR)
        targets = [i for i in task.issues if i.scope != "file"]
        if not lines or not targets:
            return
        issue, line = targets[which % len(targets)], lines[where % len(lines)]
        stuffed = [Finding(line=line, category=issue.category, message=stuffing_text(issue))]
        plain = [Finding(line=line, category=issue.category, message=RATIONALE)]
        with_words, without = _score(grader, task, stuffed), _score(grader, task, plain)
        assert with_words <= without + EPSILON, (
            f"the issue's own words at line {line} ({abs(line - issue.span.start)} lines from "
            f"{issue.category}@{issue.span}) score {with_words}, plain words {without}, on "
            f"{describe(task, stuffed)}"
        )

    _run("keywords_never_replace_location", strategy, body, examples, shrink)


def oracle_ten_times_below_oracle(
    grader: GraderAdapter, *, tasks: Any = None, examples: int = 200, shrink: bool = False
) -> None:
    """Ten copies of the right answer score strictly less than one copy."""

    def body(task: Task) -> None:
        answer = right_answer(task)
        once, ten = _score(grader, task, answer), _score(grader, task, answer * 10)
        assert ten < once - EPSILON, (
            f"the oracle ten times scores {ten}, the oracle once {once}, on "
            f"{describe(task, answer)}"
        )

    _run(
        "oracle_ten_times_below_oracle", _task_strategy(grader, tasks, True), body, examples, shrink
    )


def ten_thousand_findings(
    grader: GraderAdapter,
    *,
    tasks: Any = None,
    examples: int = 200,
    shrink: bool = False,
    budget_s: float = TEN_THOUSAND_BUDGET_S,
) -> None:
    """A report of 10,000 findings is graded, in [0, 1], within the budget (10 s by default).

    Only a few examples are drawn whatever ``examples`` says: the law is about size.
    """
    categories = category_ids()

    def body(task: Task) -> None:
        answer = right_answer(task)
        noise = [
            Finding(
                line=1 + n % task.line_count,
                category=categories[n % len(categories)],
                message=RATIONALE,
            )
            for n in range(10_000 - len(answer))
        ]
        started = time.perf_counter()
        score = _score(grader, task, [*noise, *answer])
        elapsed = time.perf_counter() - started
        assert 0.0 <= score <= 1.0, f"score {score} outside [0, 1] for 10,000 findings"
        assert elapsed <= budget_s, (
            f"10,000 findings took {elapsed:.1f} s (budget {budget_s} s) on "
            f"{describe(task, answer)}"
        )

    _run("ten_thousand_findings", _task_strategy(grader, tasks), body, min(examples, 3), shrink)


def recall_is_dense_optimum(
    grader: GraderAdapter, *, tasks: Any = None, examples: int = 200, shrink: bool = False
) -> None:
    """Recall equals the best one-to-one pairing of the full finding x issue value matrix.

    For graders that claim optimal assignment: the adapter gives ``recall(task, findings)`` and
    ``pair_value(task, finding, issue_index)`` (its own credit for one pair, as a share of the
    task's total). Identical reports (same line, end line, category and file) count once.
    """
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    recall = grader.recall  # type: ignore[attr-defined]
    pair_value = grader.pair_value  # type: ignore[attr-defined]

    def body(case: tuple[Task, list[Finding]]) -> None:
        task, findings = case
        distinct = list({(f.line, f.end_line, f.category, f.file): f for f in findings}.values())
        value = np.array(
            [[pair_value(task, f, column) for column in range(len(task.issues))] for f in distinct]
        ).reshape(len(distinct), len(task.issues))
        rows, columns = linear_sum_assignment(value, maximize=True)
        optimum = float(value[rows, columns].sum())
        got = recall(task, findings)
        assert abs(got - optimum) <= 1e-5, (
            f"recall {got} but the dense optimum is {optimum} on {describe(task, findings)}"
        )

    _run(
        "recall_is_dense_optimum",
        cases(_task_strategy(grader, tasks, True)),
        body,
        examples,
        shrink,
    )


LAWS: tuple[Law, ...] = (
    Law(
        "bounded_and_deterministic",
        "every score is in [0, 1] and repeatable",
        frozenset(),
        bounded_and_deterministic,
    ),
    Law("order_invariant", "the order of findings never matters", frozenset(), order_invariant),
    Law("oracle_scores_one", "the right answer scores 1.0", frozenset(), oracle_scores_one),
    Law(
        "empty_report", "no findings: 0 with issues, 1.0 on a clean task", frozenset(), empty_report
    ),
    Law(
        "duplicates_never_raise",
        "repeating a finding never raises the score",
        frozenset(),
        duplicates_never_raise,
    ),
    Law(
        "false_positive_never_raises",
        "a finding far from every issue never raises it",
        frozenset(),
        false_positive_never_raises,
    ),
    Law(
        "moving_away_never_raises",
        "moving a finding away from its issue never raises it",
        frozenset(),
        moving_away_never_raises,
    ),
    Law(
        "shotgun_scores_little",
        "every category on every line scores at most 0.1",
        frozenset(),
        shotgun_scores_little,
    ),
    Law(
        "keywords_never_replace_location",
        "an issue's words far from it earn nothing",
        frozenset(),
        keywords_never_replace_location,
    ),
    Law(
        "oracle_ten_times_below_oracle",
        "ten copies of the right answer score less than one",
        frozenset(),
        oracle_ten_times_below_oracle,
    ),
    Law(
        "ten_thousand_findings",
        f"10,000 findings are graded within {TEN_THOUSAND_BUDGET_S:g} s",
        frozenset(),
        ten_thousand_findings,
    ),
    Law(
        "recall_is_dense_optimum",
        "recall is the optimum of the dense pair matrix",
        frozenset({OPTIMAL_ASSIGNMENT}),
        recall_is_dense_optimum,
    ),
)
LAW_NAMES = tuple(law.name for law in LAWS)
