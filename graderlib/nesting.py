"""How deep a parser must recurse to read a source, bounded before libcst's parser sees it.

libcst's native parser (Rust) recurses once per level of nesting, and a chain of binary
operators is nesting too: ``a + a + ... + a`` with a few thousand terms, a few thousand
``not``, ``lambda:`` or ``(`` overflow the C stack and kill the whole process (a SIGSEGV no
``except`` can catch; LibCST#619, #1000). CPython's ``ast`` rejects most such sources with a
``SyntaxError`` or ``RecursionError``, which is why graderlib parses with ``ast`` first.
But ``ast`` on this interpreter also rejects perfectly good newer syntax (PEP 701 f-strings,
PEP 695 ``type`` statements), and a flat ``a and a and ...`` that ``ast`` accepts still crashes
libcst. So every source is measured here first, from its tokens, and libcst only parses a
source whose estimate stays under :data:`MAX_NESTING`.

The estimate is an upper bound on the depth of libcst's tree, not the depth itself: every
bracket opens a level, and every operator, call or subscript trailer, keyword operator
(``not``, ``and``, ``if``, ``lambda``, ``await`` ...), dot and implicitly concatenated string
between two commas of one level counts as one more. An f-string is opaque to this
interpreter's tokenizer when it uses PEP 701 quoting, so the code-like characters of its
replacement fields are counted instead. Ordinary code stays far below the limit. A source
``ast`` rejected is measured whole; in one ``ast`` accepted, only statements longer than 500
characters are (:func:`check_long_statements`), which keeps the cost off ordinary files (see
:func:`graderlib.pyparse.parse_source`).

Measured on this machine (8 MiB stacks): libcst crashed on nested f-strings between 600 and
1,200 levels and on parentheses between 1,200 and 2,000; of 24,805 files (this repository,
CPython 3.11's standard library and test suite, site-packages) all but six estimate under
500, the six being generated polynomial tables and stress tests.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
from collections.abc import Iterable

#: the deepest estimate libcst is asked to parse; the shallowest crash measured was above 600
MAX_NESTING = 500

_OPENERS = frozenset("([{")
_CLOSERS = frozenset(")]}")
_SEPARATORS = frozenset({",", ";"})
_WORD_OPERATORS = frozenset(
    {"not", "and", "or", "if", "else", "lambda", "await", "in", "is", "yield", "for", "async"}
)
_FSTRING_PREFIX = re.compile(r"^[rRbBuU]*[fF]")
_FSTRING_CODE = re.compile(r"[{}()\[\]+\-*/%@&|^~<>=!.:]")


class NestingError(ValueError):
    """The source nests deeper than a parser may safely recurse."""

    def __init__(self, line: int, depth: int) -> None:
        self.line = line
        self.depth = depth
        super().__init__(
            f"nested too deeply to analyse (about {depth} levels on line {line}; "
            f"the limit is {MAX_NESTING})"
        )


def nesting_estimate(source: str) -> tuple[int, int]:
    """The estimate's maximum and the line it is reached on; raises what tokenize raises."""
    deepest, deepest_line = 0, 1
    levels = [0]  # per open bracket: operators seen since its last comma
    indent = 0
    previous_string = False
    previous_ends_operand = False  # a name, closer or string: a bracket after it is a trailer
    for token in tokenize.generate_tokens(io.StringIO(source).readline):
        kind, text = token.type, token.string
        is_string = kind == tokenize.STRING
        if kind == tokenize.INDENT:
            indent += 1
        elif kind == tokenize.DEDENT:
            indent = max(indent - 1, 0)
        elif kind == tokenize.NEWLINE:
            levels = [0]
        elif kind == tokenize.OP:
            if text in _OPENERS:
                if previous_ends_operand:
                    levels[-1] += 1  # f()()(): each call or subscript nests the previous one
                levels.append(0)
            elif text in _CLOSERS:
                if len(levels) > 1:
                    levels.pop()
            elif text in _SEPARATORS:
                levels[-1] = 0
            else:
                levels[-1] += 1
        elif kind == tokenize.NAME and text in _WORD_OPERATORS:
            levels[-1] += 1
        elif is_string:
            if previous_string:
                levels[-1] += 1
            if _FSTRING_PREFIX.match(text):
                levels[-1] += _fstring_code(text)
        previous_string = is_string
        previous_ends_operand = (
            is_string
            or (kind == tokenize.NAME and text not in _WORD_OPERATORS)
            or (kind == tokenize.OP and text in _CLOSERS)
        )
        depth = indent + len(levels) + sum(levels)
        if depth > deepest:
            deepest, deepest_line = depth, token.start[0]
    return deepest, deepest_line


def _fstring_code(text: str) -> int:
    """Code-like characters inside the replacement fields (``{...}``) of an f-string token."""
    count, depth, index = 0, 0, 0
    while index < len(text):
        char = text[index]
        if depth == 0 and text.startswith(("{{", "}}"), index):
            index += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth = max(depth - 1, 0)
        if depth and _FSTRING_CODE.match(char):
            count += 1
        index += 1
    return count


def check_nesting(source: str) -> None:
    """Raise :class:`NestingError` for a source too deep for libcst, or one that cannot even
    be tokenized (then nothing vouches for its depth)."""
    try:
        depth, line = nesting_estimate(source)
    except (tokenize.TokenError, SyntaxError, ValueError) as error:
        raise ValueError(f"cannot be tokenized: {error}") from None
    if depth > MAX_NESTING:
        raise NestingError(line, depth)


# ------------------------------------------------------------------ decoded documents

#: findings JSON, SARIF and task.toml nested deeper than this are bad input (real SARIF logs,
#: code flows included, stay under 20 levels)
MAX_DOCUMENT_DEPTH = 64


def deeper_than(document: object, limit: int = MAX_DOCUMENT_DEPTH) -> bool:
    """Whether a decoded JSON/TOML document nests lists and tables deeper than ``limit``.

    Iterative, so a document deep enough to break a recursive walk (or pydantic's) is
    measured without recursing; stops at the first level past the limit.
    """
    pending: list[tuple[object, int]] = [(document, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            children: Iterable[object] = value.values()
        elif isinstance(value, list | tuple):
            children = value
        else:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children)
    return False


# ------------------------------------------------------------------ sources ast accepted

#: a statement (or compound header) shorter than this many characters cannot nest past the
#: limit, so only longer ones are tokenized: ``ast`` accepting a file does not make it safe
#: for libcst (``a and a and ...`` is flat for ``ast``, 10,000 levels deep for libcst)
_LONG_STATEMENT = MAX_NESTING


def check_long_statements(source: str, tree: ast.Module) -> None:
    """The guard for a source ``ast`` parsed: estimate only its long statements' nesting.

    Walking ``ast``'s statements costs far less than tokenizing the file (a 300-line file
    has a handful of statements over 500 characters, usually none); each long simple
    statement, and each long compound-statement header, is measured like a whole source.
    """
    lines = source.splitlines(keepends=True)
    offsets = [0]
    for text in lines:
        offsets.append(offsets[-1] + len(text))
    pending: list[ast.AST] = list(tree.body)
    while pending:
        node = pending.pop()
        inner = _inner_statements(node)
        first = min(
            [node.lineno, *(d.lineno for d in getattr(node, "decorator_list", ()))]  # type: ignore[attr-defined]
        )
        last = (inner[0].lineno - 1) if inner else (node.end_lineno or node.lineno)  # type: ignore[attr-defined]
        last = max(first, min(last, len(offsets) - 1))
        if offsets[last] - offsets[first - 1] > _LONG_STATEMENT:
            statement = "".join(lines[first - 1 : last]).lstrip(" \t")
            try:
                depth, line = nesting_estimate(statement)
            except (tokenize.TokenError, SyntaxError, ValueError):
                depth, line = 0, 1  # a header alone may not tokenize; ast vouched for it
            if depth > MAX_NESTING:
                raise NestingError(first + line - 1, depth)
        pending.extend(inner)


def _inner_statements(node: ast.AST) -> list[ast.AST]:
    found: list[ast.AST] = []
    for field in ("body", "handlers", "orelse", "finalbody"):
        value = getattr(node, field, None)
        if isinstance(value, list):
            found.extend(v for v in value if isinstance(v, ast.stmt | ast.excepthandler))
    for case in getattr(node, "cases", None) or ():
        found.extend(case.body)
    found.sort(key=lambda statement: statement.lineno)  # type: ignore[attr-defined]
    return found
