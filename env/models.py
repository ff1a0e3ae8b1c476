"""The wire types of the code-review environment: one Action, one Observation, one State.

They are pydantic models on OpenEnv's bases, so the server validates every incoming action
before the environment sees it, and ``/schema`` publishes exactly what an agent may send.

Two rules shape this file:

* **Validators raise ``PydanticCustomError``, never ``ValueError``.** OpenEnv puts
  ``ValidationError.errors()`` into the WebSocket error frame, and the ``ctx`` of a
  ``ValueError`` holds the exception object, which cannot be serialised: the frame fails and
  the whole session is torn down. A custom error keeps plain strings in ``ctx``, so a bad
  action costs one error frame and the session survives.
* **Everything is bounded.** Findings per action, text lengths, patch size and metadata size
  all have limits, so a huge payload is a validation error rather than a slow step.
"""

from __future__ import annotations

import json
from typing import Any, Literal

from openenv.core.env_server.types import Action, Observation, State
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

try:  # the server always has graderlib; a client installed alone (graderlib-env) may not
    from graderlib import default_taxonomy
except ImportError:  # pragma: no cover - exercised by the client-package test
    default_taxonomy = None  # type: ignore[assignment]

ActionKind = Literal["report", "hint", "patch", "finalize"]  # as graderlib.episode.ActionKind
SeverityName = Literal["critical", "high", "medium", "low"]

MAX_FINDINGS_PER_ACTION = 50
MAX_TEXT_CHARS = 2_000
MAX_PATCH_CHARS = 256_000
MAX_METADATA_CHARS = 4_000
MAX_LINE = 1_000_000


class ReviewFinding(BaseModel):
    """One finding as an agent reports it; the category may be any alias the taxonomy knows."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    line: int = Field(ge=1, le=MAX_LINE, description="First line of the problem (1-based).")
    end_line: int | None = Field(default=None, ge=1, le=MAX_LINE, description="Last line.")
    category: str = Field(
        min_length=1,
        max_length=200,
        description="A taxonomy category id or alias (B608, CWE-89, sqli, ...).",
    )
    severity: SeverityName | None = None
    message: str = Field(default="", max_length=MAX_TEXT_CHARS, description="What is wrong.")
    recommendation: str | None = Field(default=None, max_length=MAX_TEXT_CHARS)
    rule_id: str | None = Field(default=None, max_length=300, description="The tool's rule id.")
    file: str | None = Field(
        default=None, max_length=500, description="Optional; anything but snippet.py misses."
    )

    @field_validator("category")
    @classmethod
    def _known_category(cls, value: str) -> str:
        if default_taxonomy is None:
            return value  # no taxonomy on this side: the server checks it on arrival
        taxonomy = default_taxonomy()
        if taxonomy.try_resolve(value) is None:
            suggestions = taxonomy.suggest(value)
            hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else ""
            raise PydanticCustomError(
                "unknown_category",
                "unknown category {name!r}{hint} (the observation lists every category)",
                {"name": value[:80], "hint": hint},
            )
        return value

    @field_validator("severity", mode="before")
    @classmethod
    def _lower_severity(cls, value: object) -> object:
        return value.lower() if isinstance(value, str) else value

    @model_validator(mode="after")
    def _ordered_lines(self) -> ReviewFinding:
        if self.end_line is not None and self.end_line < self.line:
            raise PydanticCustomError(
                "line_order",
                "end_line {end} is before line {start}",
                {"end": self.end_line, "start": self.line},
            )
        return self


class CodeReviewAction(Action):  # type: ignore[misc]  # openenv ships no type hints
    """One step of a review. ``kind`` says which; only that kind's field may be set.

    * ``report``: ``findings`` (1 to 50), added to everything reported so far.
    * ``hint``: the next hint for an issue not yet found, at a score penalty.
    * ``patch``: ``patch``, a unified diff against the snippet or the full fixed source.
    * ``finalize``: end the episode and receive the redacted grade report.
    """

    kind: ActionKind = Field(description="report | hint | patch | finalize")
    findings: list[ReviewFinding] | None = Field(
        default=None, max_length=MAX_FINDINGS_PER_ACTION, description="For kind=report."
    )
    patch: str | None = Field(
        default=None,
        max_length=MAX_PATCH_CHARS,
        description="For kind=patch: a unified diff or the whole fixed file.",
    )

    @field_validator("metadata")
    @classmethod
    def _small_metadata(cls, value: dict[str, Any]) -> dict[str, Any]:
        try:
            size = len(json.dumps(value))
        except (TypeError, ValueError):
            raise PydanticCustomError(
                "metadata_not_json", "metadata must be plain JSON", {}
            ) from None
        if size > MAX_METADATA_CHARS:
            raise PydanticCustomError(
                "metadata_too_large",
                "metadata is {size} characters of JSON (limit {limit})",
                {"size": size, "limit": MAX_METADATA_CHARS},
            )
        return value

    @model_validator(mode="after")
    def _fields_fit_kind(self) -> CodeReviewAction:
        if self.kind == "report" and not self.findings:
            raise PydanticCustomError(
                "missing_findings", "kind 'report' needs a non-empty 'findings' list", {}
            )
        if self.kind == "patch" and not (self.patch and self.patch.strip()):
            raise PydanticCustomError("missing_patch", "kind 'patch' needs a non-empty 'patch'", {})
        if self.kind != "report" and self.findings is not None:
            raise PydanticCustomError(
                "unexpected_field",
                "'findings' belongs to kind 'report', not {kind!r}",
                {"kind": self.kind},
            )
        if self.kind != "patch" and self.patch is not None:
            raise PydanticCustomError(
                "unexpected_field",
                "'patch' belongs to kind 'patch', not {kind!r}",
                {"kind": self.kind},
            )
        return self


class HistoryEntry(BaseModel):
    """What one step did and what the grader said about it, in words an agent may see."""

    model_config = ConfigDict(extra="forbid")

    step: int
    kind: ActionKind
    verdict: str = Field(description="The public outcome of the step.")
    reward: float | None = Field(description="None: the step reached no verdict (not scored).")
    score: float = Field(description="The episode score after the step.")
    findings: int = Field(default=0, description="Findings this step reported.")
    matched: int = Field(default=0, description="Of them, how many matched a new issue.")


class CodeReviewObservation(Observation):  # type: ignore[misc]
    """What the agent sees after reset and after every step. Never any unfound ground truth."""

    task_id: str = Field(
        default="", description="The task's public id: opaque, never the author's id."
    )
    difficulty: str = ""
    description: str = ""
    snippet: str = Field(default="", description="The code under review, with line numbers.")
    line_count: int = 0
    categories: list[str] = Field(
        default_factory=list, description="Every category id of the taxonomy (the vocabulary)."
    )
    step_budget: int = 0
    steps_used: int = 0
    remaining_steps: int = 0
    score: float = Field(default=0.0, description="The episode score so far, in [0, 1].")
    issues_found: int = 0
    issues_total: int = 0
    open_severities: dict[str, int] = Field(
        default_factory=dict, description="Severities of the issues not found yet, counted."
    )
    matched_categories: list[str] = Field(default_factory=list)
    hints: list[str] = Field(default_factory=list, description="Hints revealed so far.")
    history: list[HistoryEntry] = Field(
        default_factory=list,
        description="The last steps (8; 1 with lean=True); state() has every step.",
    )
    feedback: str = Field(default="", description="The outcome of the last step, in words.")
    patch_resolved: bool = False
    patch_summary: str | None = None
    report: dict[str, Any] | None = Field(
        default=None, description="The redacted GradeReport, once the episode is over."
    )


class CodeReviewState(State):  # type: ignore[misc]
    """Episode bookkeeping that is safe to show: ids, counts and the score, nothing else."""

    task_id: str | None = Field(default=None, description="The task's public id.")
    difficulty: str | None = None
    step_budget: int = 0
    score: float = 0.0
    done: bool = False
    findings_reported: int = 0
    hints_used: int = 0
    patch_resolved: bool = False
    finalized: bool = False
    history: list[HistoryEntry] = Field(
        default_factory=list,
        description="Every step of the episode (an observation repeats only the last few).",
    )
