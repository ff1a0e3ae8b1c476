"""``CodeReviewToolEnv``: a code-review episode as TRL's ``environment_factory``.

TRL's ``GRPOTrainer(environment_factory=CodeReviewToolEnv)`` builds instances with no
arguments, calls ``reset(**dataset_row)`` before each rollout and appends the string it returns
to the prompt, offers every public method (bar ``reset`` and ``get_reward``) to the model as a
tool, with a JSON schema that ``transformers.utils.get_json_schema`` reads off the signature and
the docstring, and scores the rollout with ``get_reward()``. So the docstrings of the four tools
are written for the model, and nothing else here is public.

Where the episode runs:

* **In process** (the default): the episode is :class:`graderlib.Episode`, the same object the
  OpenEnv server steps, so a rollout here scores exactly as one on the server. It lives in
  graderlib, not in ``env/``, precisely so that this module can use it without importing the
  server: dependencies point one way (``env`` -> graderlib), and a pip-installed graderlib,
  which has no ``env/``, still trains in process.
* **Over /ws** when ``ENV_BASE_URL`` is set: each instance holds one WebSocket session with
  the server (OpenEnv's ``GenericEnvClient``, imported only then) and sends the same actions.

Only what the agent has earned ever reaches the model: the step's public verdict, the score,
hints it paid for; never issue ids or the author's task id.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from pydantic import ValidationError

from graderlib.episode import Episode, verify_patch_outcome
from graderlib.findings import Finding
from graderlib.integrations.tasks import TaskView, task_set
from graderlib.policy import RewardPolicy
from graderlib.settings import get_settings

DEFAULT_STEP_BUDGET = 16


@dataclass(frozen=True)
class _Turn:
    """What one tool call tells the model."""

    feedback: str
    score: float
    remaining_steps: int
    done: bool

    def text(self) -> str:
        state = "the episode is over" if self.done else f"{self.remaining_steps} tool calls left"
        return f"{self.feedback}\nscore so far: {self.score:.3f} ({state})"


class _Backend(Protocol):
    @property
    def score(self) -> float: ...

    def reset(self, selection: dict[str, Any], step_budget: int) -> TaskView: ...
    def step(self, action: dict[str, Any]) -> _Turn: ...


class _InProcess:
    """A :class:`graderlib.Episode` on a task of the local corpus (or ``tasks_dir``)."""

    def __init__(self) -> None:
        self._episode: Episode | None = None
        self._policy = RewardPolicy()

    @property
    def score(self) -> float:
        return self._episode.score if self._episode is not None else 0.0

    def reset(self, selection: dict[str, Any], step_budget: int) -> TaskView:
        tasks_dir = selection.pop("tasks_dir", None)
        task = task_set(tasks_dir).select(**selection)
        self._episode = Episode(
            task=task,
            policy=self._policy,
            step_budget=step_budget,
            verify_patch=verify_patch_outcome,
        )
        return TaskView.of(task)

    def step(self, action: dict[str, Any]) -> _Turn:
        episode = self._episode
        if episode is None:
            raise RuntimeError("no episode: reset() first")
        kind = action["kind"]
        if kind == "report":
            try:
                findings = [Finding.model_validate(f) for f in action["findings"]]
            except ValidationError as error:
                raise ValueError(_first_error(error)) from None
            record = episode.report_findings(findings)
        elif kind == "hint":
            record = episode.hint()
        elif kind == "patch":
            record = episode.patch(action["patch"])
        else:
            record = episode.finalize()
        feedback = record.verdict
        if record.error is not None:
            feedback += f"\nerror: {record.error}"
        return _Turn(feedback, episode.score, episode.remaining_steps, episode.done)


class _Remote:
    """One ``/ws`` session with an OpenEnv server running this environment."""

    def __init__(self, base_url: str) -> None:
        from openenv import GenericEnvClient  # only a remote trainer needs openenv

        self._client = GenericEnvClient(base_url=base_url).sync()
        self._client.connect()
        self.score = 0.0

    def reset(self, selection: dict[str, Any], step_budget: int) -> TaskView:
        selection.pop("tasks_dir", None)  # the server serves its own corpus
        observation = self._client.reset(**selection).observation
        self.score = 0.0
        return TaskView(
            public_id=observation["task_id"],
            difficulty=observation["difficulty"],
            description=observation["description"],
            numbered_snippet=observation["snippet"],
        )

    def step(self, action: dict[str, Any]) -> _Turn:
        result = self._client.step(action)
        observation = result.observation
        self.score = float(observation["score"])
        feedback = str(observation["feedback"])
        error = (observation.get("metadata") or {}).get("error")
        if error:
            feedback += f"\nerror: {error}"
        return _Turn(feedback, self.score, int(observation["remaining_steps"]), bool(result.done))


class CodeReviewToolEnv:
    """A code-review episode for TRL's GRPOTrainer (``environment_factory=CodeReviewToolEnv``).

    Dataset rows select the task: ``task_id`` (author or public id), or ``split`` /
    ``difficulty`` with ``seed``; ``tasks_dir`` points at another corpus (generated tasks). Any
    other column (``prompt`` ...) is ignored. Set ``ENV_BASE_URL`` to play on a server instead
    of in process. Subclass and change ``STEP_BUDGET`` for longer or shorter episodes.
    """

    STEP_BUDGET = DEFAULT_STEP_BUDGET

    def __init__(self) -> None:
        self._base_url = get_settings().env_base_url
        self._backend: _Backend | None = None

    def reset(self, **row: Any) -> str:
        """Start a review episode on the task the dataset row names; returns the task text."""
        selection = {
            key: row[key]
            for key in ("task_id", "split", "difficulty", "seed", "tasks_dir")
            if row.get(key) is not None
        }
        backend = self._backend
        if backend is None:
            backend = _Remote(self._base_url) if self._base_url else _InProcess()
            self._backend = backend
        view = backend.reset(selection, self.STEP_BUDGET)
        return view.tool_instructions(self.STEP_BUDGET)

    def report_finding(
        self, line: int, category: str, message: str, severity: str | None = None
    ) -> str:
        """Report one bug or vulnerability in the code under review.

        Args:
            line: The first line of the problem, as numbered in the code (1-based).
            category: What kind of problem it is: one of the categories listed with the code,
                such as sql-injection or off-by-one.
            message: What is wrong and why, in a sentence.
            severity: How bad it is: critical, high, medium or low (optional).

        Returns:
            Whether the finding matched a problem, and the review score so far.
        """
        finding: dict[str, Any] = {"line": line, "category": category, "message": message}
        if severity is not None:
            finding["severity"] = severity
        return self._step({"kind": "report", "findings": [finding]})

    def ask_hint(self) -> str:
        """Reveal a hint about a problem not found yet. Each hint lowers the score a little.

        Returns:
            The hint, and the score so far.
        """
        return self._step({"kind": "hint"})

    def submit_patch(self, diff: str) -> str:
        """Propose a fix for the code. It is applied, scanned again and tested.

        Args:
            diff: A unified diff against the code as shown (without the line numbers), or the
                whole fixed file.

        Returns:
            Whether the patch fixes the problems, and the score so far.
        """
        return self._step({"kind": "patch", "patch": diff})

    def finalize(self) -> str:
        """Finish the review. Call it once every problem you found is reported.

        Returns:
            The final score.
        """
        return self._step({"kind": "finalize"})

    def get_reward(self) -> float:
        """The episode's score in [0, 1]: the sum of its step rewards (read by the trainer)."""
        return self._backend.score if self._backend is not None else 0.0

    def _step(self, action: dict[str, Any]) -> str:
        if self._backend is None:
            raise RuntimeError("no episode: the trainer calls reset() before any tool")
        return self._backend.step(action).text()


def _first_error(error: ValidationError) -> str:
    item = error.errors()[0]
    where = ".".join(str(p) for p in item["loc"][1:] or item["loc"])
    return f"{where}: {item['msg']}" if where else str(item["msg"])
