"""Offline baseline agents: reference points for what a score means.

Each agent turns a task into findings without any model: the oracle (an upper bound), the
static agent (graderlib's detectors, the offline baseline), and the gaming strategies a grader
must defeat (shotgun, keyword stuffing, random). ``graderlib scorecard`` runs them over a corpus.

``llm`` is registered here too, so that every command finds an agent by name; it asks a model
(see :mod:`graderlib.evaluate.llm`) and is therefore not one of the offline ``BASELINES``.
"""

from __future__ import annotations

import functools
import random
from collections.abc import Callable

from graderlib.findings import Finding
from graderlib.near import NEAR_LINES
from graderlib.task import Task
from graderlib.taxonomy import default_taxonomy

Agent = Callable[[Task], list[Finding]]

_RATIONALE = "untrusted input reaches this statement without the check it needs"


def oracle_agent(task: Task) -> list[Finding]:
    """One exact finding per issue: the score every grader must give 1.0."""
    return [
        Finding(line=i.span.start, category=i.category, message=i.explanation or _RATIONALE)
        for i in task.issues
    ]


def static_agent(task: Task) -> list[Finding]:
    """graderlib's detectors, bandit and ruff, reported as they are: the offline baseline."""
    from graderlib.detectors import scan  # detectors are optional to the grading core

    result = scan(task.source, path="snippet.py")
    return [
        Finding(
            line=f.span.start,
            end_line=f.span.end,
            category=f.category,
            severity=f.severity,
            message=f.message,
            rule_id=",".join(f.rule_ids) or None,
        )
        for f in result.findings
    ]


def shotgun_agent(task: Task) -> list[Finding]:
    """Every category on every line: must score (almost) nothing."""
    return [
        Finding(line=line, category=category, message=_RATIONALE)
        for line in range(1, task.line_count + 1)
        for category in default_taxonomy().ids
    ]


def keyword_agent(task: Task) -> list[Finding]:
    """The right categories and every explanation's words, in the file but away from the issues.

    Each finding sits on a line of the file further than ``NEAR_LINES`` from every issue (if
    the file has such lines), so only its words could earn it anything: its score measures
    resistance to keyword stuffing, not the rule that a line outside the file misses.
    """
    text = " ".join(filter(None, [i.explanation for i in task.issues])) or _RATIONALE
    lines = _lines_away_from_issues(task)
    return [
        Finding(line=lines[n % len(lines)], category=issue.category, message=text)
        for n, issue in enumerate(task.issues)
    ]


def _lines_away_from_issues(task: Task) -> list[int]:
    """The lines beyond every issue's reach; failing that, the ones furthest from all issues."""
    spans = [i.span for i in task.issues if i.scope != "file"]  # a file-scope issue is everywhere
    lines = range(1, task.line_count + 1)
    if not spans:
        return list(lines)
    gap = {n: min(span.distance(n, n) for span in spans) for n in lines}
    away = [n for n in lines if gap[n] > NEAR_LINES]
    return away or [n for n in lines if gap[n] == max(gap.values())]


def random_agent(task: Task, seed: int = 0) -> list[Finding]:
    """Five random (line, category) guesses, seeded by the task id for reproducibility."""
    rng = random.Random(f"{seed}:{task.id}")
    categories = default_taxonomy().ids
    return [
        Finding(
            line=rng.randint(1, task.line_count),
            category=rng.choice(categories),
            message=_RATIONALE,
        )
        for _ in range(5)
    ]


def llm_agent(task: Task) -> list[Finding]:
    """One review by the chat model that ``API_BASE_URL``, ``MODEL_NAME``, ``OPENAI_API_KEY``
    name (imported on first use: the ``openai`` client is not needed by anything else)."""
    from graderlib.settings import Settings

    read = Settings.from_env()  # not the cached settings: a caller may change them between runs
    key = read.openai_api_key.get_secret_value() if read.openai_api_key else None
    return _llm_agent(read.api_base_url, read.model_name, key)(task)


@functools.lru_cache(maxsize=4)
def _llm_agent(base_url: str | None, model: str | None, key: str | None) -> Agent:
    """One agent per configuration, so a corpus run learns once which response format the
    server accepts."""
    from graderlib.evaluate.llm import LLMAgent, LLMSettings

    return LLMAgent(LLMSettings.from_env({}, base_url=base_url, model=model, api_key=key))


BASELINES: tuple[str, ...] = ("oracle", "static", "shotgun", "keyword", "random")
"""The offline agents: no model, no network; what a scorecard runs by default."""

AGENTS: dict[str, Agent] = {
    "oracle": oracle_agent,
    "static": static_agent,
    "shotgun": shotgun_agent,
    "keyword": keyword_agent,
    "random": random_agent,
    "llm": llm_agent,
}
