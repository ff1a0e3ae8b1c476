"""What a detector is, what it reports, and how a report is fingerprinted.

Modelled on Fixit's lint rules: a detector is one small class that names itself (a stable
``GLnnn`` id, a taxonomy category, a CWE, a default severity, a message), carries ``VALID`` and
``INVALID`` example snippets that the test suite runs, and implements ``visit_<NodeType>``
methods. Unlike Fixit, a visit method receives the shared :class:`~graderlib.detectors.walk.Context`
so that every detector reads one parse, one import table and one dataflow state.
"""

from __future__ import annotations

import hashlib
import io
import tokenize
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, ClassVar, Literal, Protocol

import libcst as cst
from pydantic import BaseModel, ConfigDict

from graderlib.locate import Span
from graderlib.pyparse import literal_eval
from graderlib.taxonomy import Severity, default_taxonomy

Tool = Literal["graderlib", "bandit", "ruff"]


class DetectorFinding(BaseModel):
    """One finding in taxonomy terms, whichever tool produced it.

    ``rule_ids`` keeps every tool's rule id once findings of several tools are merged, so a
    reader can see that graderlib's GL101, bandit's B608 and ruff's S608 agreed.
    """

    model_config = ConfigDict(frozen=True)

    tool: Tool
    tools: tuple[Tool, ...] = ()
    rule_ids: tuple[str, ...]
    category: str
    cwe: int | None = None
    severity: Severity
    span: Span
    message: str
    fingerprint: str
    scope: str = ""

    @property
    def line(self) -> int:
        return self.span.start


@dataclass(frozen=True, slots=True)
class Hit:
    """A raw report from a detector, before positions are resolved.

    ``node`` is what the fingerprint is computed from; ``anchor`` is the statement whose line
    span is reported; ``top`` is the module-level statement containing both, which is all the
    position resolver needs to look at.
    """

    detector: type[Detector]
    node: cst.CSTNode
    anchor: cst.CSTNode
    top: cst.CSTNode
    scope: str
    message: str
    #: set when one detector's findings differ in weight or class (a theme cookie is LOW, a
    #: session cookie MEDIUM; a missing HttpOnly is CWE-1004, a missing Secure CWE-614)
    severity: Severity | None = None
    cwe: int | None = None


class Reporter(Protocol):
    """Where a detector's reports go: the walk's Context, seen from here only as this."""

    def report(
        self,
        detector: type[Detector],
        node: cst.CSTNode,
        message: str,
        severity: Severity | None = None,
        cwe: int | None = None,
    ) -> None: ...


# A visit method takes the walk's Context (a Reporter and much more), so its third parameter
# is typed where it is defined, in each family; this module never imports the walk.
VisitMethod = Callable[["Detector", cst.CSTNode, Any], None]


@dataclass(frozen=True, slots=True)
class Invalid:
    """An INVALID example and the line the detector must report, like Fixit's ``Invalid``.

    The line is the first line of the reported statement; the test suite checks that exact
    line, so a detector that fires somewhere else in its own example fails.
    """

    code: str
    line: int


class Detector:
    """Base class of every libcst detector. Subclasses register themselves on definition."""

    id: ClassVar[str]
    category: ClassVar[str]
    cwe: ClassVar[int]
    severity: ClassVar[Severity]
    message: ClassVar[str]
    VALID: ClassVar[tuple[str, ...]] = ()
    INVALID: ClassVar[tuple[Invalid, ...]] = ()

    #: node class -> the visit method of this detector for it (filled by __init_subclass__).
    visitors: ClassVar[dict[type[cst.CSTNode], VisitMethod]]

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        cls.visitors = {}
        for name in dir(cls):
            if name.startswith("visit_"):
                node_type = getattr(cst, name.removeprefix("visit_"), None)
                if not (isinstance(node_type, type) and issubclass(node_type, cst.CSTNode)):
                    raise TypeError(f"{cls.__name__}.{name}: no libcst node {name[6:]!r}")
                cls.visitors[node_type] = getattr(cls, name)
        if getattr(cls, "id", None):
            _validate(cls)
            if cls.id in REGISTRY and REGISTRY[cls.id] is not cls:
                raise ValueError(f"detector id {cls.id} is used twice")
            REGISTRY[cls.id] = cls

    def report(
        self,
        ctx: Reporter,
        node: cst.CSTNode,
        message: str | None = None,
        *,
        severity: Severity | None = None,
        cwe: int | None = None,
    ) -> None:
        """Report ``node``; ``severity``/``cwe`` override the class's for this finding only."""
        ctx.report(type(self), node, message or self.message, severity, cwe)


REGISTRY: dict[str, type[Detector]] = {}


def _validate(cls: type[Detector]) -> None:
    """Catch a mistyped category or a missing example when the class is defined, not later."""
    taxonomy = default_taxonomy()
    if taxonomy.try_resolve(cls.category) != cls.category:
        raise ValueError(f"{cls.id}: {cls.category!r} is not a canonical taxonomy id")
    if not cls.VALID or not cls.INVALID:
        raise ValueError(f"{cls.id}: a detector needs VALID and INVALID examples")
    for example in cls.INVALID:
        if not isinstance(example, Invalid):
            raise TypeError(f"{cls.id}: write INVALID examples as Invalid(code, line=n)")
        if not 1 <= example.line <= example.code.count("\n") + 1:
            raise ValueError(f"{cls.id}: Invalid(line={example.line}) is outside its code")


# ------------------------------------------------------------------ fingerprints

_SKIPPED_TOKENS = {
    tokenize.COMMENT,
    tokenize.NL,
    tokenize.NEWLINE,
    tokenize.INDENT,
    tokenize.DEDENT,
    tokenize.ENCODING,
    tokenize.ENDMARKER,
}
_CLOSERS = {")", "]", "}"}


def normalized_code(code: str) -> str:
    """Code as a token stream: reformatting, comments, quotes and trailing commas don't count."""
    try:
        tokens = [t for t in _tokens(code) if t.type not in _SKIPPED_TOKENS]
    except (tokenize.TokenError, SyntaxError, ValueError):
        return " ".join(code.split())
    parts: list[str] = []
    for index, token in enumerate(tokens):
        text = token.string
        following = tokens[index + 1].string if index + 1 < len(tokens) else ""
        if text == "," and following in _CLOSERS:
            continue
        if token.type == tokenize.STRING:
            text = _canonical_string(text)
        parts.append(text)
    return " ".join(parts)


def _tokens(code: str) -> Iterator[tokenize.TokenInfo]:
    return tokenize.generate_tokens(io.StringIO(code.strip() + "\n").readline)


def _canonical_string(text: str) -> str:
    try:
        value = literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return text
    return repr(value)


def fingerprint(category: str, code: str, scope: str) -> str:
    """Stable id of a finding: same bug, same scope => same fingerprint, wherever it moved."""
    return normalized_fingerprint(category, normalized_code(code), scope)


def normalized_fingerprint(category: str, normalized: str, scope: str) -> str:
    """:func:`fingerprint` of code already passed through :func:`normalized_code`."""
    payload = "\x1f".join((category, normalized, scope))
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()[:16]
