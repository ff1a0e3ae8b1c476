"""Reading ground-truth annotations out of a snippet's comments, and removing them.

The annotation comments are found with :mod:`tokenize`, so a ``# expect:`` inside a string is
text, not an annotation. Removing them is pure line surgery (drop a comment-only line, cut a
trailing comment), which cannot change what the remaining code means; the cleaned source is then
parsed once by libcst, and every span is computed on it (see :mod:`graderlib.task`).

Syntax (semgrep's test annotations are accepted as well)::

    # expect: <category>[, <category>...] [severity=<level>] [id=<name>]
    # ok: <category>[, <category>...]
    # ruleid: <rule>[, <rule>...]        (one issue per rule)
    # todoruleid: <rule> / # todook: <rule>   (ignored, but still removed)
"""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass, field
from typing import Literal

from graderlib.pyparse import parse_python

_ANNOTATION = re.compile(
    r"^#\s*(?P<kind>expect|ruleid|ok|todoruleid|todook)\s*:\s*(?P<body>.*?)\s*$", re.IGNORECASE
)
_OPTION = re.compile(r"\b(?P<key>[A-Za-z_]+)\s*=\s*(?P<value>[^\s,]+)")
_STRUCTURAL = {
    tokenize.COMMENT,
    tokenize.NL,
    tokenize.NEWLINE,
    tokenize.INDENT,
    tokenize.DEDENT,
    tokenize.ENDMARKER,
}

AnnotationKind = Literal["expect", "ruleid", "ok", "todoruleid", "todook"]


class AnnotationSyntaxError(ValueError):
    """An annotation or the snippet around it cannot be read; carries the 1-based line."""

    def __init__(self, line: int, message: str) -> None:
        self.line = line
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class Annotation:
    """One annotation comment, as written, with where it points in the ORIGINAL source."""

    kind: AnnotationKind
    names: tuple[str, ...]
    options: dict[str, str]
    line: int
    own_line: bool
    target_line: int | None = None  # original line of the code it marks; None: nothing follows


@dataclass(slots=True)
class StrippedSource:
    """The snippet without annotations, plus the map from original to cleaned line numbers."""

    source: str
    annotations: list[Annotation]
    clean_line_of: dict[int, int] = field(default_factory=dict)


def _parse_body(kind: str, body: str, line: int) -> tuple[tuple[str, ...], dict[str, str]]:
    options: dict[str, str] = {}
    if kind == "expect":
        for option in _OPTION.finditer(body):
            key = option.group("key").lower()
            if key not in {"severity", "id"}:
                raise AnnotationSyntaxError(
                    line, f"unknown annotation option {key!r} (allowed: severity=, id=)"
                )
            if key in options:
                raise AnnotationSyntaxError(line, f"annotation option {key!r} given twice")
            options[key] = option.group("value")
        body = _OPTION.sub("", body)
    elif _OPTION.search(body):
        raise AnnotationSyntaxError(line, f"'{kind}:' annotations take no options")
    names = tuple(name.strip() for name in body.split(",") if name.strip())
    if not names:
        raise AnnotationSyntaxError(line, f"'{kind}:' annotation names no category")
    return names, options


def _syntax_error_of(text: str) -> tuple[int, str]:
    try:
        parse_python(text)
    except SyntaxError as error:
        return error.lineno or 1, error.msg
    return 1, "cannot be tokenized"


def strip_annotations(text: str) -> StrippedSource:
    """Find every annotation comment, remove it, and say which code line each one marks."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        # The tokenizer's own message ("EOF in multi-line statement") points at the end of
        # the file; the compiler names the real culprit and its line.
        line, message = _syntax_error_of(text)
        raise AnnotationSyntaxError(line, f"snippet does not parse: {message}") from None

    code_lines: set[int] = set()
    found: list[tuple[tokenize.TokenInfo, str, str]] = []
    for token in tokens:
        if token.type not in _STRUCTURAL:
            code_lines.add(token.start[0])
        elif token.type == tokenize.COMMENT:
            match = _ANNOTATION.match(token.string)
            if match:
                found.append((token, match.group("kind").lower(), match.group("body")))

    lines = text.splitlines(keepends=True)
    drop: set[int] = set()
    annotations: list[Annotation] = []
    sorted_code = sorted(code_lines)
    for token, kind, body in found:
        line, column = token.start
        own_line = not token.line[:column].strip()
        names, options = _parse_body(kind, body, line)
        if own_line:
            drop.add(line)
            target = next((c for c in sorted_code if c > line), None)
        else:
            kept = lines[line - 1][:column].rstrip()
            ending = "\n" if lines[line - 1].endswith("\n") else ""
            lines[line - 1] = kept + ending
            target = line
        annotations.append(
            Annotation(kind, names, options, line, own_line, target)  # type: ignore[arg-type]
        )

    clean_line_of: dict[int, int] = {}
    kept_lines: list[str] = []
    for number, content in enumerate(lines, start=1):
        if number in drop:
            continue
        kept_lines.append(content)
        clean_line_of[number] = len(kept_lines)
    return StrippedSource("".join(kept_lines), annotations, clean_line_of)
