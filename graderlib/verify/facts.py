"""What a patch verdict needs to know about a source beyond the detectors' findings.

Three facts, all from one ``ast`` parse and one walk of the tree:

- whether it parses at all;
- its definitions (module-level functions and classes, and methods), because deleting the
  vulnerable function makes every detector quiet and, on a task without tests, nothing else
  would notice;
- which of :data:`HARNESS_REACH` it uses. Tests run in the same process as the snippet (as
  under pytest), so code that reaches these could rewrite the runner or forge its results.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass

from graderlib.pyparse import SourceSyntaxError, parse_python, parse_source

HARNESS_REACH = frozenset(
    {
        "__main__",
        "builtins",
        "__builtins__",
        "ctypes",
        "gc.get_objects",
        "gc.get_referrers",
        "gc.get_referents",
        "inspect.currentframe",
        "inspect.stack",
        "inspect.getouterframes",
        "inspect.trace",
        "os._exit",
        "sys._getframe",
        "sys.modules",
        "sys.settrace",
        "sys.setprofile",
        "sys.addaudithook",
        "sys.meta_path",
        "threading.settrace",
        "threading.setprofile",
    }
)

# attribute names that only harness-reaching code spells out as strings (getattr(sys, "..."))
_REACH_BY_ATTRIBUTE = {name.rsplit(".", 1)[1]: name for name in HARNESS_REACH if "." in name}
_REACH_BY_ATTRIBUTE.pop("modules", None)  # too common a word to judge on
# the first segment of every HARNESS_REACH name: a dotted name starting elsewhere is skipped
_REACH_HEADS = frozenset(name.split(".", 1)[0] for name in HARNESS_REACH)


@dataclass(frozen=True, slots=True)
class SourceFacts:
    """The facts about one source; on a source that does not parse, only ``syntax_error``."""

    syntax_error: str | None
    definitions: frozenset[str] = frozenset()
    harness_reach: frozenset[str] = frozenset()


def source_facts(source: str) -> SourceFacts:
    """Parse ``source`` once and read every fact off the tree."""
    try:
        tree = parse_python(source, "snippet.py")
    except SyntaxError as error:
        return SourceFacts(f"line {error.lineno}: {error.msg}{_newer_syntax_note(source)}")
    except (ValueError, MemoryError, RecursionError) as error:
        return SourceFacts(f"{type(error).__name__}: {error}")
    return SourceFacts(None, frozenset(_definitions(tree)), frozenset(_harness_reach(tree)))


def _definitions(tree: ast.Module) -> set[str]:
    """Dotted paths of module-level functions and classes and their methods."""
    found: set[str] = set()

    def visit(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                found.add(prefix + node.name)
            elif isinstance(node, ast.ClassDef):
                found.add(prefix + node.name)
                visit(node.body, f"{prefix}{node.name}.")
            elif isinstance(node, ast.If | ast.Try):
                visit(node.body, prefix)  # `if TYPE_CHECKING:` / `try: import` blocks

    visit(tree.body, "")
    return found


def _harness_reach(tree: ast.Module) -> set[str]:
    """The HARNESS_REACH names a tree uses: imports (aliases followed), dotted attributes,
    bare names, and the string spellings ``getattr`` would need."""
    aliases: dict[str, str] = {}
    names: list[str] = []
    dotted_uses: list[ast.Attribute | ast.Name] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute | ast.Name):
            dotted_uses.append(node)
        elif isinstance(node, ast.Constant):
            if isinstance(node.value, str):
                names.append(node.value)  # sys.modules["__main__"]
                if node.value in _REACH_BY_ATTRIBUTE:
                    names.append(_REACH_BY_ATTRIBUTE[node.value])
        elif isinstance(node, ast.Import):
            for alias in node.names:
                head = alias.name.split(".")[0]
                aliases[alias.asname or head] = alias.name if alias.asname else head
                names.append(alias.name)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
            for alias in node.names:
                aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"
                names.append(f"{node.module}.{alias.name}")
    # Aliases are resolved after the walk: an import may come after the code that uses it.
    for node in dotted_uses:
        dotted = _dotted(node)
        head, _, rest = dotted.partition(".")
        head = aliases.get(head, head)
        if head.split(".", 1)[0] in _REACH_HEADS:
            names.append(f"{head}.{rest}" if rest else head)
    used: set[str] = set()
    for name in names:
        used.update(p for p in _prefixes(name) if p in HARNESS_REACH)
    return used


def _dotted(node: ast.expr) -> str:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
    return ".".join(reversed(parts))


def _prefixes(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts) + 1)]


def _newer_syntax_note(source: str) -> str:
    """Why a source libcst reads (newer syntax, say a PEP 701 f-string) still fails here.

    The patched code must run on this interpreter, which also runs the task's tests, so it is
    rejected all the same; the note tells the author that the syntax is newer, not wrong.
    """
    try:
        parse_source(source)
    except SourceSyntaxError:
        return ""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    return f" (valid in a newer Python, but the task's tests run on Python {version})"
