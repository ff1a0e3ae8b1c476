"""Turning an agent's patch into patched source: parse, check paths, apply exactly or fuzzily.

An agent sends either a unified diff against the snippet it saw, or the whole replacement file.
Diffs are parsed by ``unidiff`` (never by hand); what this module adds is the part no library
does for us in memory: applying hunks the way ``patch`` does. Each hunk is tried at its stated
line first, then at the nearest line where its context matches (an *offset*, as when the agent
numbered lines slightly wrong), then with up to ``max_fuzz`` context lines dropped from each end
and trailing whitespace ignored (*fuzz*, like ``patch --fuzz``). The weakest level any hunk needed
is recorded, so a grader or a CI gate can refuse fuzzy patches if it wants to.

Diffs written by language models often carry wrong hunk line counts; ``git apply --recount``
exists for the same reason. When the counts in the ``@@`` headers disagree with the hunk bodies
we recount them (only the numbers in the headers change) and record that as fuzz.

Everything that is not a plain modification of the one file is refused with a reason: empty,
malformed, reversed (already applied) patches, and any path that is absolute, climbs with ``..``
or names another file.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from unidiff.errors import UnidiffParseError
from unidiff.patch import PatchSet

TARGET_FILE = "snippet.py"
MAX_PATCH_BYTES = 1_000_000
DEFAULT_MAX_FUZZ = 2

_DIFF_HEADER = re.compile(r"^(--- |\+\+\+ |@@ -\d|diff --git |Index: )", re.MULTILINE)
_HUNK_HEADER = re.compile(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)$")


class ApplyLevel(StrEnum):
    """How much leeway applying needed, weakest last (ordering is meaningful)."""

    EXACT = "exact"
    OFFSET = "offset"
    FUZZ = "fuzz"
    REPLACEMENT = "replacement"

    @property
    def rank(self) -> int:
        return {"exact": 0, "offset": 1, "fuzz": 2, "replacement": 0}[self.value]


class PatchErrorKind(StrEnum):
    EMPTY = "empty"
    MALFORMED = "malformed"
    REVERSED = "reversed"
    PATH = "path"
    DOES_NOT_APPLY = "does-not-apply"
    TOO_LARGE = "too-large"


class PatchError(ValueError):
    """A patch we refuse, with a machine-readable ``kind`` and a message saying where."""

    def __init__(self, kind: PatchErrorKind, message: str) -> None:
        super().__init__(f"{kind.value} patch: {message}")
        self.kind = kind
        self.reason = message


@dataclass(frozen=True, slots=True)
class HunkPlacement:
    """Where one hunk landed: its stated line, the line used, and the fuzz it needed."""

    index: int
    stated_line: int
    applied_line: int
    fuzz: int
    whitespace_only_match: bool

    @property
    def offset(self) -> int:
        return self.applied_line - self.stated_line


@dataclass(frozen=True, slots=True)
class AppliedPatch:
    """The patched source and how it was obtained."""

    source: str
    level: ApplyLevel
    hunks: tuple[HunkPlacement, ...] = ()
    recounted: bool = False

    @property
    def max_fuzz(self) -> int:
        return max((h.fuzz for h in self.hunks), default=0)

    @property
    def max_offset(self) -> int:
        return max((abs(h.offset) for h in self.hunks), default=0)

    def describe(self) -> str:
        if self.level is ApplyLevel.REPLACEMENT:
            return "full replacement source"
        parts = [f"{len(self.hunks)} hunk(s) applied {self.level.value}"]
        if self.max_offset:
            parts.append(f"offset up to {self.max_offset} line(s)")
        if self.max_fuzz:
            parts.append(f"fuzz {self.max_fuzz}")
        if any(h.whitespace_only_match for h in self.hunks):
            parts.append("ignoring trailing whitespace")
        if self.recounted:
            parts.append("hunk line counts recounted")
        return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class _Hunk:
    index: int
    stated_line: int  # 1-based line of the hunk's first source line
    old: tuple[str, ...]
    new: tuple[str, ...]
    leading_context: int
    trailing_context: int


def looks_like_diff(text: str) -> bool:
    """True when ``text`` has unified-diff headers; otherwise it is taken as a whole file."""
    return _DIFF_HEADER.search(text) is not None


def apply_patch(
    original: str, patch: str, *, max_fuzz: int = DEFAULT_MAX_FUZZ, kind: str = "auto"
) -> AppliedPatch:
    """Apply ``patch`` (a unified diff or, with ``kind="auto"|"source"``, a whole file).

    Raises :class:`PatchError` naming what was wrong and where.
    """
    if len(patch.encode("utf-8", "replace")) > MAX_PATCH_BYTES:
        raise PatchError(
            PatchErrorKind.TOO_LARGE,
            f"{len(patch)} characters; the limit is {MAX_PATCH_BYTES} bytes",
        )
    if not patch.strip():
        raise PatchError(PatchErrorKind.EMPTY, "the patch is empty")
    if kind not in ("auto", "diff", "source"):
        raise ValueError(f"kind must be auto, diff or source, not {kind!r}")
    if kind == "source" or (kind == "auto" and not looks_like_diff(patch)):
        return AppliedPatch(source=patch, level=ApplyLevel.REPLACEMENT)
    hunks, recounted = _parse_hunks(patch)
    return _apply_hunks(original, hunks, max_fuzz=max_fuzz, recounted=recounted)


# -- parsing ---------------------------------------------------------------------------------


def _parse_hunks(patch: str) -> tuple[list[_Hunk], bool]:
    text = patch.replace("\r\n", "\n")
    if not text.endswith("\n"):
        text += "\n"
    for number, line in enumerate(text.split("\n"), start=1):
        if line.startswith("@@") and not _HUNK_HEADER.match(line):
            raise PatchError(
                PatchErrorKind.MALFORMED,
                f"line {number}: {line[:60]!r} is not a hunk header (@@ -l,s +l,s @@)",
            )
    recounted_text = _recount(text)
    recounted = recounted_text != text
    try:
        patch_set = PatchSet(recounted_text)
    except UnidiffParseError as error:
        raise PatchError(PatchErrorKind.MALFORMED, str(error)) from error
    if not patch_set:
        raise PatchError(
            PatchErrorKind.MALFORMED,
            "no file header found (expected '--- a/snippet.py' and '+++ b/snippet.py')",
        )
    if len(patch_set) > 1:
        names = ", ".join(sorted({f.path for f in patch_set}))
        raise PatchError(
            PatchErrorKind.PATH,
            f"the diff touches {len(patch_set)} files ({names}); only {TARGET_FILE} may change",
        )
    patched_file = patch_set[0]
    for label, raw in (("source", patched_file.source_file), ("target", patched_file.target_file)):
        _check_path(label, raw)
    if patched_file.is_binary_file:
        raise PatchError(PatchErrorKind.MALFORMED, "binary diffs are not accepted")
    hunks: list[_Hunk] = []
    for index, hunk in enumerate(patched_file, start=1):
        body = [line for line in hunk if line.line_type in (" ", "+", "-")]
        old = tuple(_strip_eol(line.value) for line in body if line.line_type in (" ", "-"))
        new = tuple(_strip_eol(line.value) for line in body if line.line_type in (" ", "+"))
        if old == new:
            continue
        hunks.append(
            _Hunk(
                index=index,
                # with no old lines, "-5,0" means "after line 5"
                stated_line=hunk.source_start + 1 if not old else max(hunk.source_start, 1),
                old=old,
                new=new,
                leading_context=_count_context(body),
                trailing_context=_count_context(list(reversed(body))),
            )
        )
    if not hunks:
        raise PatchError(PatchErrorKind.EMPTY, "the diff has no hunk that changes a line")
    return hunks, recounted


def _check_path(label: str, raw: str | None) -> None:
    if raw is None or raw == "/dev/null":
        raise PatchError(
            PatchErrorKind.PATH,
            f"the diff creates or deletes a file ({label} is {raw}); modify {TARGET_FILE} "
            "or send the whole file instead",
        )
    path = raw.strip()
    if path.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", path):
        raise PatchError(PatchErrorKind.PATH, f"{label} path {path!r} is absolute")
    parts = [p for p in re.split(r"[/\\]", path) if p not in ("", ".")]
    if ".." in parts:
        raise PatchError(PatchErrorKind.PATH, f"{label} path {path!r} climbs with '..'")
    if len(parts) == 2 and parts[0] in ("a", "b"):
        parts = parts[1:]
    if parts != [TARGET_FILE]:
        raise PatchError(
            PatchErrorKind.PATH, f"{label} path {path!r} is not {TARGET_FILE} (a/{TARGET_FILE})"
        )


def _strip_eol(value: str) -> str:
    return value.rstrip("\r\n")


def _count_context(body: Sequence[object]) -> int:
    count = 0
    for line in body:
        if getattr(line, "line_type", None) != " ":
            break
        count += 1
    return count


def _counts(body: list[str]) -> tuple[int, int]:
    old = sum(1 for line in body if line == "" or line[0] in " -")
    new = sum(1 for line in body if line == "" or line[0] in " +")
    return old, new


def _recount(text: str) -> str:
    """Rewrite ``@@`` header counts to match the hunk bodies (``git apply --recount``).

    A hunk body runs until the next hunk header, file header or non-hunk line. Trailing blank
    lines at the very end are dropped, since editors add them and they carry no content.
    """
    ends_with_newline = text.endswith("\n")
    lines = (text[:-1] if ends_with_newline else text).split("\n")
    out: list[str] = []
    i = 0
    while i < len(lines):
        match = _HUNK_HEADER.match(lines[i])
        if not match:
            out.append(lines[i])
            i += 1
            continue
        j = i + 1
        body: list[str] = []
        while j < len(lines):
            line = lines[j]
            is_file_header = line.startswith("--- ") and (
                j + 1 < len(lines) and lines[j + 1].startswith("+++ ")
            )
            if (
                _HUNK_HEADER.match(line)
                or is_file_header
                or line.startswith("diff --git ")
                or line == "-- "  # git format-patch signature separator
            ):
                break
            if line == "" or line[0] in " +-\\":
                body.append(line)
                j += 1
                continue
            break
        trimmed = list(body)
        while trimmed and trimmed[-1] == "":
            trimmed.pop()
        declared = (
            int(match.group(2)) if match.group(2) is not None else 1,
            int(match.group(4)) if match.group(4) is not None else 1,
        )
        if declared in (_counts(body), _counts(trimmed)):
            out.append(lines[i])
            out.extend(body)
        else:
            old_count, new_count = _counts(trimmed)
            old_start, new_start, tail = match.group(1), match.group(3), match.group(5)
            out.append(f"@@ -{old_start},{old_count} +{new_start},{new_count} @@{tail}")
            out.extend(trimmed)
            out.extend("" for _ in range(len(body) - len(trimmed)))
        i = j
    return "\n".join(out) + ("\n" if ends_with_newline else "")


# -- applying --------------------------------------------------------------------------------


def _apply_hunks(
    original: str, hunks: list[_Hunk], *, max_fuzz: int, recounted: bool
) -> AppliedPatch:
    lines = original.splitlines()
    placements: list[HunkPlacement] = []
    result: list[str] = []
    cursor = 0  # index into ``lines`` of the first line not yet copied
    drift = 0  # offset observed on previous hunks, as ``patch`` carries it forward
    for hunk in hunks:
        found = _locate(lines, hunk, cursor, drift, max_fuzz)
        if found is None:
            if _applies_reversed(lines, hunks):
                raise PatchError(
                    PatchErrorKind.REVERSED,
                    f"hunk #{hunk.index} matches the snippet only in reverse; the change seems "
                    "already applied or the diff has '-' and '+' swapped",
                )
            raise PatchError(
                PatchErrorKind.DOES_NOT_APPLY,
                f"hunk #{hunk.index} (stated at line {hunk.stated_line}) does not match the "
                f"snippet, even with offsets and fuzz {max_fuzz}; first expected line: "
                f"{_first_line(hunk)!r}",
            )
        start, fuzz_front, fuzz_back, loose = found
        old_len = len(hunk.old) - fuzz_front - fuzz_back
        result.extend(lines[cursor:start])
        result.extend(hunk.new[fuzz_front : len(hunk.new) - fuzz_back])
        cursor = start + old_len
        applied_line = start + 1 - fuzz_front
        drift = applied_line - hunk.stated_line
        placements.append(
            HunkPlacement(
                index=hunk.index,
                stated_line=hunk.stated_line,
                applied_line=applied_line,
                fuzz=max(fuzz_front, fuzz_back),
                whitespace_only_match=loose,
            )
        )
    result.extend(lines[cursor:])
    source = "\n".join(result)
    if original.endswith("\n") or not original:
        source += "\n"
    return AppliedPatch(
        source=source,
        level=_level(placements, recounted),
        hunks=tuple(placements),
        recounted=recounted,
    )


def _level(placements: list[HunkPlacement], recounted: bool) -> ApplyLevel:
    if recounted or any(p.fuzz or p.whitespace_only_match for p in placements):
        return ApplyLevel.FUZZ
    if any(p.offset for p in placements):
        return ApplyLevel.OFFSET
    return ApplyLevel.EXACT


def _first_line(hunk: _Hunk) -> str:
    return hunk.old[0] if hunk.old else ""


def _locate(
    lines: list[str], hunk: _Hunk, cursor: int, drift: int, max_fuzz: int
) -> tuple[int, int, int, bool] | None:
    """Find (start index, front fuzz, back fuzz, whitespace-loose) for ``hunk``, or None."""
    for fuzz in range(max_fuzz + 1):
        front = min(fuzz, hunk.leading_context)
        back = min(fuzz, hunk.trailing_context)
        if fuzz and front == 0 and back == 0:
            break
        pattern = hunk.old[front : len(hunk.old) - back]
        expected = hunk.stated_line - 1 + drift + front
        for loose in (False, True):
            start = _search(lines, pattern, expected, cursor, loose)
            if start is not None:
                return start, front, back, loose
    return None


def _search(
    lines: list[str], pattern: tuple[str, ...], expected: int, lowest: int, loose: bool
) -> int | None:
    """Nearest index >= ``lowest`` to ``expected`` where ``pattern`` matches."""
    if not pattern:  # pure insertion: trust the stated line
        return min(max(expected, lowest), len(lines))
    last = len(lines) - len(pattern)
    if last < lowest:
        return None
    wanted = [p.rstrip() for p in pattern] if loose else list(pattern)
    expected = min(max(expected, lowest), last)
    for distance in range(0, max(expected - lowest, last - expected) + 1):
        for start in (expected - distance, expected + distance) if distance else (expected,):
            if lowest <= start <= last and _matches(lines, wanted, start, loose):
                return start
    return None


def _matches(lines: list[str], wanted: list[str], start: int, loose: bool) -> bool:
    for offset, expected_line in enumerate(wanted):
        line = lines[start + offset]
        if (line.rstrip() if loose else line) != expected_line:
            return False
    return True


def _applies_reversed(lines: list[str], hunks: list[_Hunk]) -> bool:
    """Whether every hunk's *new* side is already in the snippet (``patch -R`` would apply)."""
    cursor = 0
    for hunk in hunks:
        pattern = hunk.new
        if not pattern:
            return False
        start = _search(lines, pattern, hunk.stated_line - 1, cursor, True)
        if start is None:
            return False
        cursor = start + len(pattern)
    return True
