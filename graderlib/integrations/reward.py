"""``code_review_reward``: the reward function of single-turn GRPO on code review.

TRL calls ``reward_func(prompts=..., completions=..., **columns)`` with every dataset column
as a list, one entry per completion, so the ``task_id`` column (and ``tasks_dir`` for
generated tasks) says which task each completion reviews. A completion is read as findings
JSON (``{"findings": [...]}`` or a bare list), as a whole or from a fenced ```json block, and
graded by :func:`graderlib.grade`: the reward is the review score in [0, 1].

A completion that does not parse scores 0: the model learns the format from that. It is also
counted (``reward_stats``, and TRL's ``log_metric`` when the trainer passes it) because a
high unparsable rate means the format, not the review, is what is being trained. The reason
for every reward is logged (``graderlib.integrations.reward`` at INFO, and TRL's completion
table through ``log_extra``) with the public task id and counts only: no issue ids or lines.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from graderlib.findings import Finding, FindingsError, parse_findings
from graderlib.grading import grade
from graderlib.integrations.tasks import task_set

log = logging.getLogger(__name__)
_FENCED = re.compile(r"```[a-zA-Z0-9_-]*[ \t]*\n(.*?)```", re.DOTALL)


@dataclass
class RewardStats:
    """Running counts over every call in this process."""

    completions: int = 0
    unparsable: int = 0


reward_stats = RewardStats()


def completion_text(completion: Any) -> str:
    """The text of a completion: a string, or the assistant messages of a conversation."""
    if isinstance(completion, str):
        return completion
    if isinstance(completion, list):
        parts = []
        for message in completion:
            if isinstance(message, dict) and message.get("role", "assistant") == "assistant":
                content = message.get("content")
                if isinstance(content, str):
                    parts.append(content)
                elif isinstance(content, list):  # content blocks
                    parts += [b["text"] for b in content if isinstance(b, dict) and "text" in b]
        return "\n".join(parts)
    raise FindingsError(f"a completion is a string or a list of messages, not {type(completion)}")


def parse_completion(text: str) -> list[Finding]:
    """Findings from a model's answer: the whole answer as JSON, else its fenced blocks."""
    candidates = [text.strip(), *(block.strip() for block in _FENCED.findall(text))]
    for candidate in candidates:
        try:
            data = json.loads(candidate)
        except json.JSONDecodeError:
            continue
        return parse_findings(data)
    raise FindingsError("no findings JSON: neither the answer nor a ```json block parses")


def code_review_reward(
    prompts: Sequence[Any], completions: Sequence[Any], task_id: Sequence[str], **kwargs: Any
) -> list[float]:
    """The review score of each completion against its task; 0 for one that does not parse."""
    if len(completions) != len(task_id):
        raise ValueError(f"{len(completions)} completions but {len(task_id)} task ids")
    tasks_dirs = kwargs.get("tasks_dir") or [None] * len(completions)
    rewards: list[float] = []
    reasons: list[str] = []
    unparsable = 0
    for completion, tid, directory in zip(completions, task_id, tasks_dirs, strict=True):
        task = task_set(directory).select(task_id=tid)
        try:
            findings = parse_completion(completion_text(completion))
        except FindingsError as error:
            unparsable += 1
            reward, reason = 0.0, f"unparsable: {str(error)[:200]}"
        else:
            report = grade(task, findings)
            reward = report.score
            reason = (
                f"{len(findings)} finding(s): {report.issues_found}/{report.issues_total} issues "
                f"found, {len(report.false_positives)} not matched, "
                f"{len(report.duplicates)} duplicate(s)"
            )
        log.info("reward %.3f on task %s: %s", reward, task.public_id, reason)
        rewards.append(reward)
        reasons.append(reason)
    reward_stats.completions += len(completions)
    reward_stats.unparsable += unparsable
    log_metric = kwargs.get("log_metric")
    if callable(log_metric) and completions:
        log_metric("graderlib/unparsable_fraction", unparsable / len(completions))
    log_extra = kwargs.get("log_extra")
    if callable(log_extra):
        log_extra("graderlib_reason", reasons)
    return rewards
