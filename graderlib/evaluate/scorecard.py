"""Scorecards: any tool or agent over a labelled corpus, counted the way the OWASP Benchmark does.

Every piece of ground truth is one test case of its category:

* an issue of category C is a true positive (TP) when a finding is matched to it, else a false
  negative (FN); a ``scope = "file"`` issue is matched by a finding of C anywhere in its file;
* a ``[[clean]]`` / ``# ok:`` entry of C is a false positive (FP) when a finding of C lands on
  it (its first line inside the entry's span; anywhere, for a file-scope entry), else a true
  negative (TN).

Per category: TPR = TP / (TP + FN), FPR = FP / (FP + TN) and Youden's index TPR - FPR; a rate
without cases to rate is None, and so is Youden's index of a category without both kinds of
case (otherwise a shotgun report would earn TPR 1 - FPR "0" wherever no look-alike exists).
Overall: those three averaged over the categories where they are defined, the OWASP way, plus
the pooled sums, precision = TP / (TP + FP + extra) and the mean RL score. A
finding that lands on no case at all is an *extra*: it counts against precision, and the RL
score penalises it, but it has no test case to be counted in.

What "a finding of C" and "matched" mean depends on the mode:

* **default**: the reward policy decides, exactly as :func:`graderlib.grade` does (a CWE
  parent or child of C earns partial credit, so it matches);
* **strict**: only an exact category or CWE counts, as published scorecards count. A result
  is judged by the CWE the tool itself states (SARIF ``properties.cwe``, ``taxa``, else the
  rule's first CWE tag), over graderlib's reading of its rule id, and a stated CWE counts for
  C when it is one of C's CWEs or an equivalence of one (:data:`DEFAULT_EQUIVALENCES`).

The mean RL score is always the reward policy's score of the findings, in both modes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from statistics import mean
from typing import Any, Literal

from pydantic import BaseModel

from graderlib.evaluate.engine import Engine, LocalEngine, Progress
from graderlib.evaluate.mapping import MappedOutput, TaskResult, Unmapped
from graderlib.findings import Finding
from graderlib.grading import DEFAULT_POLICY, grade
from graderlib.policy import RewardPolicy
from graderlib.report import GradeReport
from graderlib.task import CleanMark, Task
from graderlib.taxonomy import Relation, default_taxonomy

Mode = Literal["default", "strict"]

DEFAULT_EQUIVALENCES: Mapping[int, frozenset[int]] = {
    89: frozenset({564}),  # SQL injection: Hibernate (CWE-564) is SQL injection through an ORM
    328: frozenset({327}),  # weak hash: tools (bandit's B303/B324) state "broken crypto" for md5
}
"""Expected CWE -> stated CWEs that strict mode also accepts for it."""


def parse_equivalence(text: str) -> tuple[int, int]:
    """``"CWE-564=CWE-89"`` (stated = expected) as ``(564, 89)``; ValueError names the problem."""
    stated, separator, expected = text.partition("=")
    numbers = [_cwe(part) for part in (stated, expected)]
    if not separator or None in numbers:
        raise ValueError(f"equivalence {text!r}: expected STATED=EXPECTED, e.g. CWE-564=CWE-89")
    return numbers[0], numbers[1]  # type: ignore[return-value]


def _cwe(text: str) -> int | None:
    text = text.strip().upper().removeprefix("CWE-").removeprefix("CWE")
    return int(text) if text.isdigit() else None


@dataclass(frozen=True)
class StrictRules:
    """What counts as the same weakness in strict mode: C's own CWEs, plus equivalences."""

    equivalences: Mapping[int, frozenset[int]] = field(
        default_factory=lambda: dict(DEFAULT_EQUIVALENCES)
    )

    def accepts(self, stated: int, category: str) -> bool:
        expected = default_taxonomy().cwes_of(category)
        return stated in expected or any(
            stated in self.equivalences.get(cwe, ()) for cwe in expected
        )

    def with_extra(self, pairs: Iterable[tuple[int, int]]) -> StrictRules:
        """These rules plus ``(stated, expected)`` pairs."""
        table = {cwe: set(accepted) for cwe, accepted in self.equivalences.items()}
        for stated, expected in pairs:
            table.setdefault(expected, set()).add(stated)
        return StrictRules({cwe: frozenset(accepted) for cwe, accepted in table.items()})


# ---------------------------------------------------------------------------- models


class CategoryScore(BaseModel):
    """One category's test cases and rates; a rate is None when it has no case to rate."""

    category: str
    tp: int = 0
    fn: int = 0
    fp: int = 0
    tn: int = 0
    extra: int = 0
    tpr: float | None = None
    fpr: float | None = None
    youden: float | None = None


class Overall(BaseModel):
    """OWASP-style averages over categories, pooled sums, precision and the mean RL score."""

    tasks: int
    results: int
    mapped: int
    unmapped: int
    categories: int
    tpr: float | None
    fpr: float | None
    youden: float | None
    tp: int
    fn: int
    fp: int
    tn: int
    extra: int
    pooled_tpr: float | None
    pooled_fpr: float | None
    precision: float | None
    mean_score: float


class Scorecard(BaseModel):
    """One tool's (or agent's) card over one corpus."""

    tool: str
    mode: Mode
    overall: Overall
    categories: dict[str, CategoryScore]
    unmapped: list[dict[str, Any]]

    def as_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


# ------------------------------------------------------------------- one task's counts


@dataclass(frozen=True)
class TaskJob:
    """Everything one worker needs for one task: picklable, for a process pool or Ray."""

    task: Task
    results: tuple[TaskResult, ...] = ()
    agent: str | None = None
    mode: Mode = "default"
    rules: StrictRules = field(default_factory=StrictRules)
    policy: RewardPolicy = DEFAULT_POLICY


@dataclass(frozen=True)
class TaskTally:
    """One task's contribution: counts per category (tp, fn, fp, tn, extra) and its score."""

    task_id: str
    counts: dict[str, tuple[int, int, int, int, int]]
    score: float
    findings: int


def tally_task(job: TaskJob) -> TaskTally:
    """Count one task's test cases. Module-level, so an engine can ship it to workers."""
    task = job.task
    if job.agent is not None:
        findings = list(_agent(job.agent)(task))
        stated: list[int | None] = [None] * len(findings)
    else:
        findings = [result.finding for result in job.results]
        stated = [result.stated_cwe for result in job.results]
    report = grade(task, findings, job.policy)
    if job.mode == "strict":
        labels = [
            _strict_label(f.category, cwe, task, job.rules)
            for f, cwe in zip(findings, stated, strict=True)
        ]
        relabelled = [
            f.model_copy(update={"category": c}) for f, c in zip(findings, labels, strict=True)
        ]
        judged = grade(task, relabelled, _exact_only(job.policy))
        counts_for: Callable[[str, str], bool] = str.__eq__
    else:
        labels = [f.category for f in findings]
        judged = report
        counts_for = _related_under(job.policy)
    return TaskTally(
        task.id, _count(task, findings, labels, judged, counts_for), report.score, len(findings)
    )


def _agent(name: str) -> Callable[[Task], Iterable[Finding]]:
    from graderlib.agents import AGENTS

    try:
        return AGENTS[name]
    except KeyError:
        raise ValueError(f"unknown agent {name!r}; choose from {', '.join(AGENTS)}") from None


def _strict_label(category: str, stated: int | None, task: Task, rules: StrictRules) -> str:
    """The category a result claims, named as the task names it when the claim fits."""
    if stated is None:
        return category
    for candidate in _case_categories(task):
        if rules.accepts(stated, candidate):
            return candidate
    # The claim fits nothing here; keep it as the tool stated it so that it matches nothing.
    return default_taxonomy().try_resolve(f"CWE-{stated}") or category


def _case_categories(task: Task) -> list[str]:
    names = [c for issue in task.issues for c in issue.categories]
    names += [c for mark in task.clean for c in mark.categories]
    return list(dict.fromkeys(names))


def _exact_only(policy: RewardPolicy) -> RewardPolicy:
    return policy.model_copy(update={"parent_child_credit": 0.0, "sibling_credit": 0.0})


def _related_under(policy: RewardPolicy) -> Callable[[str, str], bool]:
    taxonomy = default_taxonomy()

    def related(label: str, category: str) -> bool:
        relation: Relation = taxonomy.relation(label, category)
        return policy.category_credit(relation) > 0

    return related


def _lands_on(finding: Finding, mark: CleanMark) -> bool:
    return mark.scope == "file" or mark.span.start <= finding.line <= mark.span.end


def _count(
    task: Task,
    findings: Sequence[Finding],
    labels: Sequence[str],
    judged: GradeReport,
    counts_for: Callable[[str, str], bool],
) -> dict[str, tuple[int, int, int, int, int]]:
    tp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    tn: Counter[str] = Counter()
    extra: Counter[str] = Counter()
    matched = {v.issue_id for v in judged.verdicts if v.status == "matched"}
    for issue in task.issues:
        (tp if issue.id in matched else fn)[issue.category] += 1
    on_a_case: set[int] = set()
    for mark in task.clean:
        for category in mark.categories:
            landed = [
                i
                for i, (finding, label) in enumerate(zip(findings, labels, strict=True))
                if counts_for(label, category) and _lands_on(finding, mark)
            ]
            on_a_case.update(landed)
            (fp if landed else tn)[category] += 1
    for verdict in judged.verdicts:
        if verdict.status == "false_positive" and verdict.index not in on_a_case:
            extra[labels[verdict.index]] += 1
    names = set(tp) | set(fn) | set(fp) | set(tn) | set(extra)
    return {c: (tp[c], fn[c], fp[c], tn[c], extra[c]) for c in sorted(names)}


# --------------------------------------------------------------------- the whole card


def _rate(numerator: int, denominator: int) -> float | None:
    return round(numerator / denominator, 4) if denominator else None


def _mean(values: Iterable[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return round(mean(present), 4) if present else None


def assemble(
    tool: str,
    mode: Mode,
    tallies: Iterable[TaskTally],
    unmapped: Sequence[Unmapped] = (),
    results: int | None = None,
) -> Scorecard:
    """Sum per-task tallies into a card. Categories are those with a test case in the corpus."""
    sums: dict[str, list[int]] = {}
    scores: list[float] = []
    mapped = 0
    for tally in tallies:
        scores.append(tally.score)
        mapped += tally.findings
        for category, counts in tally.counts.items():
            total = sums.setdefault(category, [0, 0, 0, 0, 0])
            for position, value in enumerate(counts):
                total[position] += value
    categories: dict[str, CategoryScore] = {}
    extra_elsewhere = 0
    for category in sorted(sums):
        tp, fn, fp, tn, extra = sums[category]
        if tp + fn + fp + tn == 0:
            extra_elsewhere += extra  # a category with no test case: only its extras count
            continue
        tpr = _rate(tp, tp + fn)
        fpr = _rate(fp, fp + tn)
        youden = round(tpr - fpr, 4) if tpr is not None and fpr is not None else None
        categories[category] = CategoryScore(
            category=category,
            tp=tp,
            fn=fn,
            fp=fp,
            tn=tn,
            extra=extra,
            tpr=tpr,
            fpr=fpr,
            youden=youden,
        )
    pooled = [
        sum(c.tp for c in categories.values()),
        sum(c.fn for c in categories.values()),
        sum(c.fp for c in categories.values()),
        sum(c.tn for c in categories.values()),
    ]
    tp, fn, fp, tn = pooled
    extra = sum(c.extra for c in categories.values()) + extra_elsewhere
    overall = Overall(
        tasks=len(scores),
        results=results if results is not None else mapped + len(unmapped),
        mapped=mapped,
        unmapped=len(unmapped),
        categories=len(categories),
        tpr=_mean(c.tpr for c in categories.values()),
        fpr=_mean(c.fpr for c in categories.values()),
        youden=_mean(c.youden for c in categories.values()),
        tp=tp,
        fn=fn,
        fp=fp,
        tn=tn,
        extra=extra,
        pooled_tpr=_rate(tp, tp + fn),
        pooled_fpr=_rate(fp, fp + tn),
        precision=_rate(tp, tp + fp + extra),
        mean_score=round(mean(scores), 4) if scores else 0.0,
    )
    return Scorecard(
        tool=tool,
        mode=mode,
        overall=overall,
        categories=categories,
        unmapped=[u.as_dict() for u in unmapped],
    )


def score_output(
    tool: str,
    output: MappedOutput,
    tasks: Sequence[Task],
    *,
    mode: Mode = "default",
    rules: StrictRules | None = None,
    policy: RewardPolicy | None = None,
    engine: Engine | None = None,
    progress: Progress | None = None,
) -> Scorecard:
    """The card of a tool's mapped output (see :func:`graderlib.evaluate.mapping.map_results`)."""
    rules, policy = rules or StrictRules(), policy or DEFAULT_POLICY
    jobs = [
        TaskJob(task, tuple(output.by_task.get(task.id, ())), None, mode, rules, policy)
        for task in tasks
    ]
    tallies = (engine or LocalEngine()).map(tally_task, jobs, progress)
    return assemble(tool, mode, tallies, output.unmapped, output.total)


def score_agent(
    agent: str,
    tasks: Sequence[Task],
    *,
    mode: Mode = "default",
    rules: StrictRules | None = None,
    policy: RewardPolicy | None = None,
    engine: Engine | None = None,
    progress: Progress | None = None,
) -> Scorecard:
    """The card of a built-in (or registered) agent run over ``tasks``."""
    _agent(agent)  # an unknown name fails here, before any worker starts
    rules, policy = rules or StrictRules(), policy or DEFAULT_POLICY
    jobs = [TaskJob(task, (), agent, mode, rules, policy) for task in tasks]
    tallies = (engine or LocalEngine()).map(tally_task, jobs, progress)
    return assemble(agent, mode, tallies)
