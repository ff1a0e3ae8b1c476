"""Corpus-level metrics, in the manner of the OWASP Benchmark scorecard.

For each agent: the mean grade over the tasks, and per category the true-positive rate (tasks
with an issue of that category where the agent's finding was matched to it), the false-positive
rate (tasks without such an issue where the agent still reported the category), and Youden's
index TPR - FPR, averaged over categories. A grader that can be gamed shows it here: shotgun and
keyword agents must sit near zero while the oracle sits at one.
"""

from __future__ import annotations

from collections.abc import Sequence
from statistics import mean

from pydantic import BaseModel

from graderlib.agents import AGENTS
from graderlib.grading import grade
from graderlib.scoring import RewardPolicy
from graderlib.task import Task


class CategoryRates(BaseModel):
    category: str
    positives: int
    negatives: int
    true_positives: int
    false_positives: int
    tpr: float
    fpr: float
    youden: float


class AgentCard(BaseModel):
    agent: str
    tasks: int
    mean_score: float
    mean_youden: float
    categories: list[CategoryRates]


def _agent_card(name: str, tasks: Sequence[Task], policy: RewardPolicy) -> AgentCard:
    agent = AGENTS[name]
    categories = sorted({i.category for t in tasks for i in t.issues})
    detected: dict[str, int] = dict.fromkeys(categories, 0)
    flagged: dict[str, int] = dict.fromkeys(categories, 0)
    scores = []
    for task in tasks:
        report = grade(task, agent(task), policy)
        scores.append(report.score)
        present = {i.category for i in task.issues}
        category_of = {i.id: i.category for i in task.issues}
        matched = {
            category_of[v.issue_id]
            for v in report.verdicts
            if v.status == "matched" and v.issue_id is not None
        }
        reported = {v.category for v in report.verdicts}
        for category in categories:
            if category in present:
                detected[category] += category in matched
            else:
                flagged[category] += category in reported
    rates = []
    for category in categories:
        positives = sum(1 for t in tasks if any(i.category == category for i in t.issues))
        negatives = len(tasks) - positives
        tpr = detected[category] / positives if positives else 0.0
        fpr = flagged[category] / negatives if negatives else 0.0
        rates.append(
            CategoryRates(
                category=category,
                positives=positives,
                negatives=negatives,
                true_positives=detected[category],
                false_positives=flagged[category],
                tpr=round(tpr, 4),
                fpr=round(fpr, 4),
                youden=round(tpr - fpr, 4),
            )
        )
    return AgentCard(
        agent=name,
        tasks=len(tasks),
        mean_score=round(mean(scores), 4) if scores else 0.0,
        mean_youden=round(mean(r.youden for r in rates), 4) if rates else 0.0,
        categories=rates,
    )


def scorecard(
    tasks: Sequence[Task], agents: Sequence[str] = tuple(AGENTS), policy: RewardPolicy | None = None
) -> list[AgentCard]:
    """One card per agent over ``tasks``."""
    unknown = [a for a in agents if a not in AGENTS]
    if unknown:
        raise ValueError(f"unknown agent(s) {unknown}; choose from {sorted(AGENTS)}")
    return [_agent_card(name, tasks, policy or RewardPolicy()) for name in agents]
