"""Applying patches: exact, offset, fuzz, recounted headers, and every refusal."""

from __future__ import annotations

import difflib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graderlib.verify.patch import (
    ApplyLevel,
    PatchError,
    PatchErrorKind,
    apply_patch,
    looks_like_diff,
)

ORIGINAL = "".join(f"value_{i} = {i}\n" for i in range(1, 31))


def diff(old: str, new: str, a: str = "a/snippet.py", b: str = "b/snippet.py") -> str:
    return "".join(difflib.unified_diff(old.splitlines(True), new.splitlines(True), a, b))


CHANGED = ORIGINAL.replace("value_15 = 15\n", "value_15 = 1500\n")
DIFF = diff(ORIGINAL, CHANGED)


def test_exact_diff_applies_exactly() -> None:
    applied = apply_patch(ORIGINAL, DIFF)
    assert applied.source == CHANGED
    assert applied.level is ApplyLevel.EXACT
    assert applied.hunks[0].offset == 0


def test_shifted_snippet_applies_with_offset() -> None:
    shifted = "import os\nimport sys\n\n" + ORIGINAL
    applied = apply_patch(shifted, DIFF)
    assert applied.level is ApplyLevel.OFFSET
    assert applied.hunks[0].offset == 3
    assert applied.source == "import os\nimport sys\n\n" + CHANGED


def test_changed_context_applies_with_fuzz() -> None:
    drifted = ORIGINAL.replace("value_13 = 13\n", "value_13 = 13  # edited\n")
    applied = apply_patch(drifted, DIFF)
    assert applied.level is ApplyLevel.FUZZ
    assert applied.max_fuzz == 2
    assert applied.source == CHANGED.replace("value_13 = 13\n", "value_13 = 13  # edited\n")


def test_context_too_different_does_not_apply() -> None:
    drifted = ORIGINAL.replace("value_14 = 14\n", "changed\n").replace("value_16", "changed")
    drifted = drifted.replace("value_13", "x").replace("value_17", "y")
    with pytest.raises(PatchError) as caught:
        apply_patch(drifted, DIFF, max_fuzz=1)
    assert caught.value.kind is PatchErrorKind.DOES_NOT_APPLY
    assert "hunk #1" in str(caught.value)


def test_trailing_whitespace_only_counts_as_fuzz() -> None:
    spaced = ORIGINAL.replace("value_14 = 14\n", "value_14 = 14   \n")
    applied = apply_patch(spaced, DIFF)
    assert applied.level is ApplyLevel.FUZZ
    assert applied.hunks[0].whitespace_only_match


def test_wrong_hunk_counts_are_recounted() -> None:
    header = DIFF.splitlines()[2]
    broken = DIFF.replace(header, "@@ -12,3 +12,9 @@")
    applied = apply_patch(ORIGINAL, broken)
    assert applied.recounted
    assert applied.level is ApplyLevel.FUZZ
    assert applied.source == CHANGED


def test_two_hunks_apply_in_order() -> None:
    new = CHANGED.replace("value_2 = 2\n", "value_2 = 200\n").replace("value_29", "renamed_29")
    applied = apply_patch(ORIGINAL, diff(ORIGINAL, new))
    assert len(applied.hunks) >= 2
    assert applied.source == new


@pytest.mark.parametrize("context", [0, 1, 3])
def test_pure_insertions_land_after_the_stated_line(context: int) -> None:
    new = ORIGINAL.replace("value_5 = 5\n", "value_5 = 5\ninserted = True\n")
    new = "# top\n" + new + "# bottom\n"
    patch = "".join(
        difflib.unified_diff(
            ORIGINAL.splitlines(True),
            new.splitlines(True),
            "a/snippet.py",
            "b/snippet.py",
            n=context,
        )
    )
    applied = apply_patch(ORIGINAL, patch)
    assert applied.source == new
    assert applied.level is ApplyLevel.EXACT


def test_plain_source_is_a_full_replacement() -> None:
    applied = apply_patch(ORIGINAL, "def f():\n    return 1\n")
    assert applied.level is ApplyLevel.REPLACEMENT
    assert applied.source == "def f():\n    return 1\n"
    assert not looks_like_diff("x = 1\n")
    assert looks_like_diff(DIFF)


@pytest.mark.parametrize(
    ("patch", "kind", "words"),
    [
        ("", PatchErrorKind.EMPTY, "empty"),
        ("   \n\n", PatchErrorKind.EMPTY, "empty"),
        ("--- a/snippet.py\n+++ b/snippet.py\n", PatchErrorKind.EMPTY, "no hunk"),
        (DIFF.replace("a/snippet.py", "/etc/passwd"), PatchErrorKind.PATH, "absolute"),
        (DIFF.replace("b/snippet.py", "b/../snippet.py"), PatchErrorKind.PATH, ".."),
        (DIFF.replace("snippet.py", "other.py"), PatchErrorKind.PATH, "other.py"),
        (DIFF + DIFF.replace("snippet.py", "evil.py"), PatchErrorKind.PATH, "2 files"),
        (DIFF.replace("a/snippet.py", "/dev/null"), PatchErrorKind.PATH, "creates or deletes"),
        (diff(CHANGED, ORIGINAL), PatchErrorKind.REVERSED, "reverse"),
        ("--- a/snippet.py\n+++ b/snippet.py\n@@ -1 +1 @@\n?what\n", PatchErrorKind.MALFORMED, ""),
        ("--- a/snippet.py\n+++ b/snippet.py\n@@ bad @@\n-x\n", PatchErrorKind.MALFORMED, "line 3"),
        ("x" * 1_100_000, PatchErrorKind.TOO_LARGE, "limit"),
    ],
    ids=[
        "empty",
        "blank",
        "no-hunks",
        "absolute",
        "dotdot",
        "other-file",
        "two-files",
        "creates-file",
        "reversed",
        "malformed",
        "bad-header",
        "too-large",
    ],
)
def test_bad_patches_are_refused_with_a_reason(
    patch: str, kind: PatchErrorKind, words: str
) -> None:
    with pytest.raises(PatchError) as caught:
        apply_patch(ORIGINAL, patch)
    assert caught.value.kind is kind
    assert words in str(caught.value)


def test_git_style_diff_with_index_line_is_accepted() -> None:
    git_diff = "diff --git a/snippet.py b/snippet.py\nindex 1111111..2222222 100644\n" + DIFF
    assert apply_patch(ORIGINAL, git_diff).source == CHANGED


def test_crlf_diff_applies() -> None:
    assert apply_patch(ORIGINAL, DIFF.replace("\n", "\r\n")).source == CHANGED


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(min_value=0, max_value=29), st.sampled_from(["edit", "drop", "add"])),
        min_size=1,
        max_size=6,
        unique_by=lambda op: op[0],
    ),
    st.integers(min_value=0, max_value=4),
    st.sampled_from([0, 1, 3]),
)
def test_any_generated_diff_round_trips(
    operations: list[tuple[int, str]], shift: int, context: int
) -> None:
    """A diff made by difflib (edits, deletions, insertions; any context size) applies to its
    source, and, given context, still applies to that source shifted down by a few lines."""
    rows = ORIGINAL.splitlines(True)
    for index, operation in sorted(operations, reverse=True):
        if operation == "edit":
            rows[index] = f"edited_{index} = -1\n"
        elif operation == "drop":
            del rows[index]
        else:
            rows.insert(index, f"added_{index} = 0\n")
    new = "".join(rows)
    patch = "".join(
        difflib.unified_diff(
            ORIGINAL.splitlines(True), rows, "a/snippet.py", "b/snippet.py", n=context
        )
    )
    assert apply_patch(ORIGINAL, patch).source == new
    if context == 0:
        return  # a zero-context insertion has nothing to find; like patch(1) it trusts its line
    prefix = "".join(f"# header {i}\n" for i in range(shift))
    assert apply_patch(prefix + ORIGINAL, patch).source == prefix + new
