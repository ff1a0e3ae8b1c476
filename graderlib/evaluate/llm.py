"""The ``llm`` agent: any OpenAI-compatible chat-completions model as a code reviewer.

It speaks through the official ``openai`` client, so it works with OpenAI, vLLM, TGI, Ollama,
llama.cpp's server or Hugging Face's router alike: ``API_BASE_URL`` says where, ``MODEL_NAME``
which model, ``OPENAI_API_KEY`` the key (the hackathon checklist's names).

What the model sees is exactly what the environment shows an agent: the task description, the
numbered snippet and the category vocabulary, plus the hints it paid for and the grader's
public feedback on what it already reported. It never sees a task's id or any ground truth.

Why the answer is checked here and not left to the environment: a malformed answer (no JSON, an
unknown category, a line outside the file) would otherwise cost a whole episode step or be lost.
The agent validates the answer itself and, a bounded number of times, shows the model the exact
validation error and asks again. Findings are requested with the JSON-schema response format;
a server that refuses it (many local servers do) gets plain JSON mode, then a prompt-only request,
and the agent remembers what worked.

The prompts are :class:`string.Template` texts that users may replace (``--prompt FILE``,
``--patch-prompt FILE``). Placeholders of the review template:

=================  ==========================================================================
``$description``   the task's description
``$snippet``       the code with line numbers (``  12 | code``)
``$line_count``    how many lines the file has
``$categories``    the category vocabulary, comma-separated
``$hints``         the hints revealed so far, as a paragraph (empty without hints)
``$previous``      what was already reported and the grader's public verdict (empty at first)
=================  ==========================================================================

and of the patch template: ``$source`` (the file without line numbers), ``$snippet``,
``$findings`` (the findings to fix, one per line) and ``$description``.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from string import Template
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from graderlib.findings import Finding
from graderlib.taxonomy import default_taxonomy

if TYPE_CHECKING:
    from openai import AsyncOpenAI

    from graderlib.task import Task

SYSTEM_PROMPT = (
    "You are a meticulous code reviewer who finds bugs and security vulnerabilities in Python. "
    "When asked for findings you answer with one JSON object only; when asked for a patch you "
    "answer with one unified diff only."
)

REVIEW_TEMPLATE = """\
Review the Python file below. $description

Report every bug and security vulnerability you can point to. For each one give the 1-based line
where it is, one category from the vocabulary, a severity (critical, high, medium or low) and a
message of a few words saying what is wrong. Do not report style. A finding that is not a real
problem costs points, and so does reporting one problem twice.

Category vocabulary: $categories

snippet.py ($line_count lines; the numbers on the left are not part of the file):
$snippet
$hints$previous
Answer with one JSON object and nothing else, for example:
{"findings": [{"line": 12, "category": "sql-injection", "severity": "critical", \
"message": "the name is formatted into the SQL text", "recommendation": "bind a parameter"}]}
An empty list means you found nothing.
"""

PATCH_TEMPLATE = """\
Here is snippet.py:
```python
$source
```

You found these problems in it:
$findings

Fix them and change nothing else. Answer with a unified diff against snippet.py, with the headers
"--- a/snippet.py" and "+++ b/snippet.py", inside one ```diff block. Keep every function and
class; the file's tests will run against the patched file.
"""

REVIEW_PLACEHOLDERS = frozenset(
    {"description", "snippet", "line_count", "categories", "hints", "previous"}
)
PATCH_PLACEHOLDERS = frozenset({"source", "snippet", "findings", "description"})
MAX_FINDINGS_PER_ANSWER = 50
ResponseFormat = Literal["json_schema", "json_object", "prompt"]
_FORMATS: tuple[ResponseFormat, ...] = ("json_schema", "json_object", "prompt")
_NUMBERED_LINE = re.compile(r"^\s*\d+ \| ?(.*)$")
_FENCE = re.compile(r"```[a-zA-Z0-9_-]*[ \t]*\n(.*?)```", re.DOTALL)


class LLMError(RuntimeError):
    """The model server failed (unreachable, refused the key, answered an error). Safe to show.

    ``fatal`` errors (unreachable, a refused key, an unknown model) will fail every request
    alike, so a run stops instead of failing each of its episodes in turn.
    """

    def __init__(self, message: str, *, fatal: bool = False) -> None:
        super().__init__(message)
        self.fatal = fatal


class TemplateError(ValueError):
    """A prompt template uses a placeholder the agent does not fill, or lacks a required one."""


def check_template(text: str, allowed: frozenset[str], required: str, name: str) -> str:
    """``text`` if it is a usable template; else a :class:`TemplateError` naming the problem."""
    template = Template(text)
    if not template.is_valid():
        raise TemplateError(f"{name}: not a valid template (a lone '$'? write '$$' for a dollar)")
    used = set(template.get_identifiers())
    unknown = sorted(used - allowed)
    if unknown:
        raise TemplateError(
            f"{name}: unknown placeholder(s) {', '.join('$' + u for u in unknown)} "
            f"(known: {', '.join('$' + a for a in sorted(allowed))})"
        )
    if required not in used:
        raise TemplateError(f"{name}: the template must contain ${required}")
    return text


class LLMSettings(BaseModel):
    """Everything that decides what the model is asked, so that a run can be repeated.

    ``from_env`` reads ``API_BASE_URL``, ``MODEL_NAME`` and ``OPENAI_API_KEY``. The key is never
    part of :meth:`public` (what ``inference_results.json`` records).
    """

    model_config = ConfigDict(frozen=True)

    model: str = Field(min_length=1)
    base_url: str | None = None
    api_key: str | None = Field(default=None, repr=False, exclude=True)
    temperature: float = Field(default=0.0, ge=0.0, le=2.0)
    seed: int | None = None
    max_retries: int = Field(default=2, ge=0, le=10, description="Malformed answers re-asked.")
    max_hints: int = Field(default=0, ge=0, le=20, description="Hints an episode may take.")
    patch: bool = Field(default=False, description="Propose a patch for what was found.")
    max_tokens: int | None = Field(default=None, ge=1)
    timeout_s: float = Field(default=120.0, gt=0)
    review_template: str = REVIEW_TEMPLATE
    patch_template: str = PATCH_TEMPLATE

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **overrides: Any) -> LLMSettings:
        """Settings from ``API_BASE_URL``, ``MODEL_NAME``, ``OPENAI_API_KEY`` (read through
        :class:`graderlib.settings.Settings`, from ``environ`` or the process's environment)
        and ``overrides``."""
        from graderlib.settings import Settings

        read = Settings.from_env(environ)
        key = read.openai_api_key.get_secret_value() if read.openai_api_key else None
        model = overrides.pop("model", None) or read.model_name
        if not model:
            raise ValueError("the llm agent needs a model: set MODEL_NAME (or pass --model)")
        values: dict[str, Any] = {
            "model": model,
            "base_url": overrides.pop("base_url", None) or read.api_base_url,
            "api_key": overrides.pop("api_key", None) or key,
        }
        values.update({k: v for k, v in overrides.items() if v is not None})
        settings = cls(**values)
        check_template(settings.review_template, REVIEW_PLACEHOLDERS, "snippet", "review prompt")
        check_template(settings.patch_template, PATCH_PLACEHOLDERS, "source", "patch prompt")
        return settings

    def public(self) -> dict[str, Any]:
        """The settings a results file records: no key; templates by digest unless default."""
        data = self.model_dump(exclude={"review_template", "patch_template"})
        data["review_template"] = _template_label(self.review_template, REVIEW_TEMPLATE)
        data["patch_template"] = _template_label(self.patch_template, PATCH_TEMPLATE)
        return data


def _template_label(text: str, default: str) -> str:
    if text == default:
        return "default"
    return "custom sha256:" + hashlib.sha256(text.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class ReviewView:
    """What the model may know about a task: exactly what an environment observation shows."""

    snippet: str
    line_count: int
    description: str = ""
    categories: tuple[str, ...] = ()
    hints: tuple[str, ...] = ()
    previous: str = ""

    @classmethod
    def of_task(cls, task: Task) -> ReviewView:
        """The view of a local task, without its ground truth (for ``scorecard --agent llm``)."""
        return cls(
            snippet=task.numbered_source(),
            line_count=task.line_count,
            description=task.description,
            categories=tuple(default_taxonomy().ids),
        )

    @classmethod
    def of_observation(cls, observation: Mapping[str, Any], previous: str = "") -> ReviewView:
        """The view of an environment observation (a dict, as it comes over ``/ws``)."""
        return cls(
            snippet=str(observation.get("snippet", "")),
            line_count=int(observation.get("line_count", 0)),
            description=str(observation.get("description", "")),
            categories=tuple(observation.get("categories") or default_taxonomy().ids),
            hints=tuple(str(h) for h in observation.get("hints") or ()),
            previous=previous,
        )

    @property
    def source(self) -> str:
        """The file without line numbers: what a patch is written against."""
        return unnumbered(self.snippet)


def unnumbered(snippet: str) -> str:
    """Undo :func:`graderlib.locate.numbered`: ``"  3 | x = 1"`` becomes ``"x = 1"``."""
    lines = []
    for line in snippet.splitlines():
        match = _NUMBERED_LINE.match(line)
        lines.append(match.group(1) if match else line)
    return "\n".join(lines) + "\n"


@dataclass
class Turn:
    """One exchange with the model, as a trainer needs it: the prompt, the final completion,
    how many answers it took and why the rejected ones were rejected."""

    purpose: Literal["review", "patch"]
    messages: list[dict[str, str]]
    completion: str = ""
    attempts: int = 0
    errors: list[str] = field(default_factory=list)
    response_format: ResponseFormat = "json_schema"
    ok: bool = False

    def record(self) -> dict[str, Any]:
        """JSON-ready form, for trajectories."""
        return {
            "purpose": self.purpose,
            "messages": self.messages,
            "completion": self.completion,
            "attempts": self.attempts,
            "errors": self.errors,
            "response_format": self.response_format,
            "ok": self.ok,
        }


class _AnswerFinding(BaseModel):
    model_config = ConfigDict(extra="ignore")

    line: int
    end_line: int | None = None
    category: str
    severity: str | None = None
    message: str = ""
    recommendation: str | None = None


class _Answer(BaseModel):
    model_config = ConfigDict(extra="ignore")

    findings: list[_AnswerFinding]


def findings_schema(categories: Sequence[str]) -> dict[str, Any]:
    """The JSON schema of an answer, in the subset OpenAI's strict structured outputs accept."""
    nullable_string = {"type": ["string", "null"]}
    item = {
        "type": "object",
        "additionalProperties": False,
        "required": ["line", "end_line", "category", "severity", "message", "recommendation"],
        "properties": {
            "line": {"type": "integer"},
            "end_line": {"type": ["integer", "null"]},
            "category": {"type": "string", "enum": list(categories)},
            "severity": {"type": "string", "enum": ["critical", "high", "medium", "low"]},
            "message": {"type": "string"},
            "recommendation": nullable_string,
        },
    }
    return {
        "type": "object",
        "additionalProperties": False,
        "required": ["findings"],
        "properties": {"findings": {"type": "array", "items": item}},
    }


def parse_answer(text: str, line_count: int) -> list[Finding]:
    """The findings in a model's answer, or a ``ValueError`` that says exactly what is wrong.

    Accepts the JSON object alone, inside a fenced block, or surrounded by prose; a bare list of
    findings is accepted too. Every finding must name a known category and a line of the file.
    """
    data = _json_in(text)
    if isinstance(data, list):
        data = {"findings": data}
    try:
        answer = _Answer.model_validate(data)
    except ValidationError as error:
        shape = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'answer'}: {e['msg']}"
            for e in error.errors()[:5]
        )
        raise ValueError(f"the JSON does not have the expected shape: {shape}") from None
    if len(answer.findings) > MAX_FINDINGS_PER_ANSWER:
        raise ValueError(
            f"{len(answer.findings)} findings; report at most {MAX_FINDINGS_PER_ANSWER}"
        )
    taxonomy = default_taxonomy()
    findings: list[Finding] = []
    problems: list[str] = []
    for number, item in enumerate(answer.findings):
        where = f"findings[{number}]"
        if taxonomy.try_resolve(item.category) is None:
            close = taxonomy.suggest(item.category)
            hint = f" (did you mean {', '.join(close)}?)" if close else ""
            problems.append(f"{where}.category: unknown category {item.category!r}{hint}")
            continue
        if not 1 <= item.line <= max(line_count, 1):
            problems.append(
                f"{where}.line: {item.line} is not a line of the file (1..{line_count})"
            )
            continue
        end_line = item.end_line
        if end_line is not None and not item.line <= end_line <= max(line_count, 1):
            end_line = None  # a bad end line does not make the finding useless
        severity = item.severity.lower() if item.severity else None
        if severity not in ("critical", "high", "medium", "low"):
            severity = None
        findings.append(
            Finding.model_validate(
                {
                    "line": item.line,
                    "end_line": end_line,
                    "category": item.category,
                    "severity": severity,
                    "message": item.message[:2000],
                    "recommendation": (item.recommendation or "")[:2000] or None,
                }
            )
        )
    if problems:
        raise ValueError("; ".join(problems[:8]))
    return findings


def _json_in(text: str) -> Any:
    """The first JSON value in ``text``: the whole text, a fenced block, or the first {...}."""
    candidates = [text.strip(), *(m.group(1).strip() for m in _FENCE.finditer(text))]
    for candidate in candidates:
        try:
            return json.loads(candidate)
        except json.JSONDecodeError:
            continue
    decoder = json.JSONDecoder()
    for start in (i for i, c in enumerate(text) if c in "{["):
        try:
            value, _ = decoder.raw_decode(text, start)
        except json.JSONDecodeError:
            continue
        return value
    raise ValueError("the answer contains no JSON object")


def extract_diff(text: str) -> str | None:
    """The unified diff in an answer: a ```diff block, else the text from its first ``---``."""
    for match in _FENCE.finditer(text):
        body = match.group(1)
        if "@@" in body:
            return body if body.endswith("\n") else body + "\n"
    start = text.find("--- ")
    if start >= 0 and "@@" in text[start:]:
        body = text[start:]
        return body if body.endswith("\n") else body + "\n"
    return None


def _describe(findings: Sequence[Finding]) -> str:
    return "\n".join(f"- line {f.line}: {f.category}: {f.message}" for f in findings) or "- none"


class LLMAgent:
    """Reviews code (and optionally patches it) by asking a chat model.

    Use it as a plain agent (``agent(task) -> findings``, what ``graderlib scorecard`` calls) or
    drive it step by step through :meth:`review` and :meth:`propose_patch` (what the episode
    policy in :mod:`graderlib.evaluate.policies` does under ``graderlib infer``).
    """

    def __init__(self, settings: LLMSettings, client: AsyncOpenAI | None = None) -> None:
        self.settings = settings
        self._client = client
        self._format_index = 0

    @classmethod
    def from_env(cls, **overrides: Any) -> LLMAgent:
        return cls(LLMSettings.from_env(**overrides))

    @property
    def response_format(self) -> ResponseFormat:
        """The richest response format the server has not refused so far."""
        return _FORMATS[self._format_index]

    # ------------------------------------------------------------------------ the agent

    def __call__(self, task: Task) -> list[Finding]:
        """One review of ``task``'s snippet, as the offline agents of the registry do."""
        findings, _turn = asyncio.run(self._review_once(ReviewView.of_task(task)))
        return findings

    async def _review_once(self, view: ReviewView) -> tuple[list[Finding], Turn]:
        try:
            return await self.review(view)
        finally:
            await self.aclose()

    async def review(self, view: ReviewView, repeat: int = 0) -> tuple[list[Finding], Turn]:
        """Ask for findings until the answer validates or the retries are used up.

        A model that never gives a usable answer yields no findings (the turn says why); a
        server that fails raises :class:`LLMError`. ``repeat`` (the k-th episode of one task)
        is added to the seed, so repeated episodes differ and each can be replayed.
        """
        prompt = Template(self.settings.review_template).substitute(
            description=view.description,
            snippet=view.snippet,
            line_count=view.line_count,
            categories=", ".join(view.categories),
            hints=(
                "Hints you were given:\n" + "\n".join(f"- {h}" for h in view.hints) + "\n"
                if view.hints
                else ""
            ),
            previous=(
                "What you already reported and what the grader said about it:\n"
                f"{view.previous}\nReport only NEW findings; do not repeat these.\n"
                if view.previous
                else ""
            ),
        )
        turn = Turn(purpose="review", messages=self._messages(prompt))
        conversation = list(turn.messages)
        for _attempt in range(self.settings.max_retries + 1):
            text = await self._complete(conversation, turn, view.categories, repeat)
            turn.completion = text
            try:
                findings = parse_answer(text, view.line_count)
            except ValueError as error:
                turn.errors.append(str(error))
                conversation += [
                    {"role": "assistant", "content": text},
                    {
                        "role": "user",
                        "content": (
                            f"Your answer could not be used: {error}. Answer again with only "
                            'the JSON object {"findings": [...]} described above.'
                        ),
                    },
                ]
                continue
            turn.ok = True
            turn.messages = conversation
            return findings, turn
        turn.messages = conversation
        return [], turn

    async def propose_patch(
        self, view: ReviewView, findings: Sequence[Finding], repeat: int = 0
    ) -> tuple[str | None, Turn]:
        """Ask for a unified diff fixing ``findings``; None when the answer holds no diff."""
        prompt = Template(self.settings.patch_template).substitute(
            source=view.source.rstrip("\n"),
            snippet=view.snippet,
            findings=_describe(findings),
            description=view.description,
        )
        turn = Turn(purpose="patch", messages=self._messages(prompt), response_format="prompt")
        text = await self._complete(turn.messages, turn, None, repeat)
        turn.completion = text
        diff = extract_diff(text)
        turn.ok = diff is not None
        if diff is None:
            turn.errors.append("the answer contains no unified diff")
        return diff, turn

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None

    # ---------------------------------------------------------------------- transport

    def _messages(self, prompt: str) -> list[dict[str, str]]:
        return [{"role": "system", "content": SYSTEM_PROMPT}, {"role": "user", "content": prompt}]

    def _client_or_new(self) -> AsyncOpenAI:
        if self._client is None:
            try:
                from openai import AsyncOpenAI
            except ImportError:
                raise LLMError(
                    "the llm agent needs the openai client: pip install 'graderlib[env]'",
                    fatal=True,
                ) from None

            self._client = AsyncOpenAI(
                base_url=self.settings.base_url,
                # Local servers want no key but the client insists on one.
                api_key=self.settings.api_key or "unset",
                timeout=self.settings.timeout_s,
                max_retries=2,
            )
        return self._client

    async def _complete(
        self,
        messages: list[dict[str, str]],
        turn: Turn,
        categories: Sequence[str] | None,
        repeat: int,
    ) -> str:
        """One completion; a request the server refuses for its response format is sent again
        with the next simpler format, and the agent keeps using what worked."""
        client = self._client_or_new()
        import openai

        fatal_errors = (
            openai.APIConnectionError,
            openai.AuthenticationError,
            openai.PermissionDeniedError,
            openai.NotFoundError,
        )
        while True:
            fmt: ResponseFormat = self.response_format if categories is not None else "prompt"
            request: dict[str, Any] = {
                "model": self.settings.model,
                "messages": messages,
                "temperature": self.settings.temperature,
            }
            if self.settings.seed is not None:
                request["seed"] = self.settings.seed + repeat
            if self.settings.max_tokens is not None:
                request["max_tokens"] = self.settings.max_tokens
            if fmt == "json_schema" and categories is not None:
                request["response_format"] = {
                    "type": "json_schema",
                    "json_schema": {
                        "name": "review_findings",
                        "strict": True,
                        "schema": findings_schema(categories),
                    },
                }
            elif fmt == "json_object":
                request["response_format"] = {"type": "json_object"}
            turn.attempts += 1
            turn.response_format = fmt
            try:
                response = await client.chat.completions.create(**request)
            except openai.BadRequestError as error:
                if fmt != "prompt" and self._format_index < len(_FORMATS) - 1:
                    self._format_index += 1  # the server refused the format: simplify
                    turn.attempts -= 1
                    continue
                raise LLMError(f"the model server refused the request: {_brief(error)}") from None
            except fatal_errors as error:
                where = self.settings.base_url or "the OpenAI API"
                raise LLMError(
                    f"the model server ({where}) cannot serve model {self.settings.model!r}: "
                    f"{_brief(error)}",
                    fatal=True,
                ) from None
            except openai.APIError as error:
                raise LLMError(f"the model server failed: {_brief(error)}") from None
            if not response.choices:
                return ""
            return response.choices[0].message.content or ""


def _brief(error: Exception) -> str:
    text = " ".join(str(error).split())
    return text[:300]
