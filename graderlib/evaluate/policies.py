"""How an agent plays an episode: one action per observation, until it finalizes.

An episode runner (:mod:`graderlib.evaluate.infer`) knows nothing of agents; it asks a policy
for the next action, sends it, and hands the policy the observation that came back. Actions
and observations are plain dicts in the environment's wire format, so one policy drives an
episode over ``/ws`` and in-process alike.

Two kinds of policy exist:

* :class:`FindingsPolicy` wraps an offline agent of :mod:`graderlib.agents` (a function from a
  task to findings). Those agents need the task itself, so they run only where the runner holds
  the corpus (``--tasks``); they report once (in chunks the environment accepts), the oracle
  also sends the task's reference fix, then they finalize.
* :class:`LLMPolicy` plays the ``llm`` agent: review, optionally a hint and a second review with
  it, optionally a patch, then finalize. It sees only observations.

A :class:`Player` is an agent across a whole run: it makes each episode's policy, describes
itself for the results file (agent, model, settings) and is closed when the run ends, so the
``llm`` agent keeps one HTTP client for every episode.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from graderlib.agents import AGENTS, Agent
from graderlib.episode import MAX_FINDINGS_PER_EPISODE
from graderlib.evaluate.llm import LLMAgent, LLMSettings, ReviewView, Turn
from graderlib.findings import Finding
from graderlib.task import Task

MAX_FINDINGS_PER_ACTION = 50
"""The environment's limit per ``report`` action; longer reports go out in several actions."""

Observation = Mapping[str, Any]
Action = dict[str, Any]


@dataclass
class Decision:
    """The next action, and the model exchanges that produced it (for trajectories)."""

    action: Action
    turns: list[Turn] = field(default_factory=list)


class EpisodePolicy(Protocol):
    """Chooses actions for ONE episode; a new policy is made for every episode."""

    async def act(self, observation: Observation) -> Decision: ...


def finding_payload(finding: Finding) -> dict[str, Any]:
    """A finding as the environment's ``ReviewFinding`` takes it."""
    data = finding.model_dump(mode="json", exclude_none=True)
    data.pop("file", None)
    return data


class FindingsPolicy:
    """An offline agent's findings, reported in chunks, then (oracle) a patch, then finalize.

    The agent runs on the first step, in the event loop's thread: offline agents are CPU-bound
    (the static agent's ~0.1 s scan is libcst and bandit, with ruff already in its own
    process), so a worker thread would only add a hand-off; the GIL serialises them anyway.
    """

    def __init__(self, agent: Agent, task: Task, patch: str | None = None) -> None:
        self._agent, self._task, self._patch = agent, task, patch
        self._actions: list[Action] | None = None

    async def _plan(self) -> list[Action]:
        findings: Sequence[Finding] = self._agent(self._task)
        payloads = [finding_payload(f) for f in findings[:MAX_FINDINGS_PER_EPISODE]]
        actions: list[Action] = [
            {"kind": "report", "findings": payloads[i : i + MAX_FINDINGS_PER_ACTION]}
            for i in range(0, len(payloads), MAX_FINDINGS_PER_ACTION)
        ]
        if self._patch:
            actions.append({"kind": "patch", "patch": self._patch})
        return actions

    async def act(self, observation: Observation) -> Decision:
        if self._actions is None:
            self._actions = await self._plan()
        remaining = int(observation.get("remaining_steps", 1))
        if self._actions and remaining > 1:  # always keep one step to finalize
            return Decision(self._actions.pop(0))
        return Decision({"kind": "finalize"})


class OfflinePlayer:
    """Episodes played by an offline agent of :data:`graderlib.agents.AGENTS`."""

    def __init__(self, name: str, agent: Agent) -> None:
        self.name = name
        self._agent = agent

    def policy(self, task: Task | None, repeat: int = 0) -> EpisodePolicy:
        if task is None:
            raise ValueError(
                f"agent {self.name!r} needs the task itself, not only what an agent sees: "
                "pass --tasks DIR with the tasks the environment serves"
            )
        patch = None
        if self.name == "oracle" and task.fix_path is not None:
            patch = Path(task.fix_path).read_text(encoding="utf-8")
        return FindingsPolicy(self._agent, task, patch)

    def describe(self) -> dict[str, Any]:
        return {"agent": self.name, "model": None, "settings": {}}

    async def aclose(self) -> None:
        return None


class LLMPolicy:
    """review -> [hint -> review with the hint]* -> [patch] -> finalize, from observations only.

    A hint is taken only while the observation says issues are still open and steps remain;
    a patch is proposed only when something was reported. Every step keeps one step in
    reserve for ``finalize``.
    """

    def __init__(self, agent: LLMAgent, repeat: int = 0) -> None:
        self.agent = agent
        self.repeat = repeat
        self.settings: LLMSettings = agent.settings
        self.reported: list[Finding] = []
        self.hints_taken = 0
        self.reviews = 0
        self.patched = False
        self._awaiting_review = True

    async def act(self, observation: Observation) -> Decision:
        remaining = int(observation.get("remaining_steps", 2))
        if remaining <= 1:
            return Decision({"kind": "finalize"})
        if self._awaiting_review:
            self._awaiting_review = False
            view = ReviewView.of_observation(observation, previous=self._previous(observation))
            findings, turn = await self.agent.review(view, self.repeat)
            self.reviews += 1
            new = [f for f in findings if not self._already_reported(f)]
            new = new[: max(0, MAX_FINDINGS_PER_EPISODE - len(self.reported))]
            if new:
                self.reported.extend(new[:MAX_FINDINGS_PER_ACTION])
                payload = [finding_payload(f) for f in new[:MAX_FINDINGS_PER_ACTION]]
                return Decision({"kind": "report", "findings": payload}, [turn])
            follow = await self._after_review(observation, remaining)
            follow.turns.insert(0, turn)
            return follow
        return await self._after_review(observation, remaining)

    async def _after_review(self, observation: Observation, remaining: int) -> Decision:
        open_issues = int(observation.get("issues_total", 0)) - int(
            observation.get("issues_found", 0)
        )
        if self.hints_taken < self.settings.max_hints and open_issues > 0 and remaining > 2:
            self.hints_taken += 1
            self._awaiting_review = True
            return Decision({"kind": "hint"})
        if self.settings.patch and not self.patched and self.reported and remaining > 1:
            self.patched = True
            view = ReviewView.of_observation(observation)
            diff, turn = await self.agent.propose_patch(view, self.reported, self.repeat)
            if diff:
                return Decision({"kind": "patch", "patch": diff}, [turn])
            return Decision({"kind": "finalize"}, [turn])
        return Decision({"kind": "finalize"})

    def _already_reported(self, finding: Finding) -> bool:
        return any(f.line == finding.line and f.category == finding.category for f in self.reported)

    def _previous(self, observation: Observation) -> str:
        if not self.reported:
            return ""
        lines = [f"- line {f.line}: {f.category}: {f.message}" for f in self.reported]
        feedback = str(observation.get("feedback", "")).strip()
        if feedback:
            lines.append(f"The grader's last verdict: {feedback}")
        return "\n".join(lines)


class LLMPlayer:
    """Episodes played by the ``llm`` agent.

    One :class:`LLMAgent` (one HTTP client, one memory of the response format the server
    accepts) serves every episode of a run; each episode has its own :class:`LLMPolicy`.
    """

    name = "llm"

    def __init__(self, settings: LLMSettings, agent: LLMAgent | None = None) -> None:
        self.settings = settings
        self.agent = agent or LLMAgent(settings)

    def policy(self, task: Task | None, repeat: int = 0) -> EpisodePolicy:
        return LLMPolicy(self.agent, repeat)

    def describe(self) -> dict[str, Any]:
        settings = self.settings
        return {"agent": self.name, "model": settings.model, "settings": settings.public()}

    async def aclose(self) -> None:
        await self.agent.aclose()


class Player(Protocol):
    """An agent as the episode runner sees it: a policy per episode, a description, a close."""

    name: str

    def policy(self, task: Task | None, repeat: int = 0) -> EpisodePolicy:
        """The policy of one episode: the k-th (``repeat``) of ``task`` (None: not held)."""
        ...

    def describe(self) -> dict[str, Any]: ...

    async def aclose(self) -> None: ...


def player(name: str, llm_settings: LLMSettings | None = None) -> Player:
    """The player of agent ``name``: ``llm`` or any offline agent of the registry."""
    if name == "llm":
        if llm_settings is None:
            raise ValueError("the llm agent needs its settings (MODEL_NAME, API_BASE_URL)")
        return LLMPlayer(llm_settings)
    agent = AGENTS.get(name)
    if agent is None:
        raise ValueError(f"unknown agent {name!r}; choose from {', '.join(sorted(AGENTS))}")
    return OfflinePlayer(name, agent)
