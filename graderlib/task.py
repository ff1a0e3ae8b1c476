"""Loading a task directory into a :class:`Task` whose ground truth has exact spans.

A task is ``task.toml`` + ``snippet.py`` (+ optional ``test_task.py`` and a reference fix,
``fix.diff`` or ``fixed.py``). Ground truth is written in the snippet as comments and located
by libcst; no line number is ever typed by hand. Loading does all the expensive work once
(tokenize, one libcst parse, one position pass) so that grading never parses anything.

Every load error is a :class:`TaskLoadError` naming the task, the file and, where there is one,
the line, so ``graderlib tasks lint`` can print it as ``tasks/x/snippet.py:12: ...``.
"""

from __future__ import annotations

import hashlib
import hmac
import tomllib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, Literal, TypeVar

import libcst as cst
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from graderlib.annotations import Annotation, AnnotationSyntaxError, strip_annotations
from graderlib.locate import LocatedModule, Span, locate_module, numbered
from graderlib.nesting import MAX_DOCUMENT_DEPTH, deeper_than
from graderlib.settings import get_settings
from graderlib.taxonomy import Severity, Taxonomy, default_taxonomy

T = TypeVar("T")

SNIPPET = "snippet.py"
TASK_TOML = "task.toml"
TESTS = "test_task.py"
FIX_FILES = ("fix.diff", "fixed.py")
Difficulty = Literal["easy", "medium", "hard"]
Scope = Literal["statement", "definition", "file"]
Split = Literal["train", "validation", "test"]


class TaskLoadError(ValueError):
    """A task that cannot be loaded; ``str()`` reads ``file:line: task 'x': message``."""

    def __init__(self, task: str, file: Path | str, message: str, line: int | None = None) -> None:
        self.task = task
        self.file = str(file)
        self.line = line
        self.message = message
        where = f"{self.file}:{line}" if line is not None else self.file
        super().__init__(f"{where}: task {task!r}: {message}")


class Issue(BaseModel):
    """One known issue: what it is, how bad, and exactly which lines it occupies."""

    model_config = ConfigDict(frozen=True)

    id: str
    categories: tuple[str, ...] = Field(min_length=1)
    severity: Severity
    span: Span
    scope: Scope = "statement"
    hint: str | None = None
    explanation: str | None = None
    fix_keywords: tuple[str, ...] = ()

    @property
    def category(self) -> str:
        """The primary category; the others are accepted alternatives."""
        return self.categories[0]


class CleanMark(BaseModel):
    """A place where the given categories must NOT be reported (a safe look-alike)."""

    model_config = ConfigDict(frozen=True)

    categories: tuple[str, ...] = Field(min_length=1)
    span: Span
    scope: Scope = "statement"


class Task(BaseModel):
    """A loaded task. ``source`` is exactly what the agent sees (annotations removed)."""

    model_config = ConfigDict(frozen=True)

    id: str
    title: str
    difficulty: Difficulty
    description: str
    tags: tuple[str, ...] = ()
    source: str
    issues: tuple[Issue, ...] = ()
    clean: tuple[CleanMark, ...] = ()
    path: Path | None = None
    tests_path: Path | None = None
    fix_path: Path | None = None
    line_count: int

    # What is worked out from the task once and kept with it (see ``derived``).
    _matching_index: Any = PrivateAttr(default=None)  # the matcher's index
    _numbered_source: Any = PrivateAttr(default=None)  # the snippet as agents see it
    _missed_issues: Any = PrivateAttr(default=None)  # grading's models of its issues

    def derived(self, slot: str, build: Callable[[], T]) -> T:
        """``build()``, computed on first use and kept in the private ``slot``.

        A task is frozen, so what follows from it never changes. The slot is read directly:
        pydantic's ``__getattr__`` for private attributes is slow, and this is on every grade.
        """
        private = self.__pydantic_private__
        assert private is not None
        value: T | None = private.get(slot)
        if value is None:
            value = private[slot] = build()
        return value

    def numbered_source(self) -> str:
        """The snippet with line numbers, as agents see it; built once (every reset sends it)."""
        return self.derived("_numbered_source", lambda: numbered(self.source))

    @property
    def has_tests(self) -> bool:
        return self.tests_path is not None

    @property
    def split(self) -> Split:
        return split_of(self.id)

    @property
    def public_id(self) -> str:
        """The id an agent may see: see :func:`public_task_id`."""
        return public_task_id(self.id)


def public_task_id(task_id: str, key: str | None = None) -> str:
    """An opaque, stable id for ``task_id``, safe to show to an agent.

    Task ids are written for authors and often name the bug (``sqli-user-lookup``,
    ``clean-ttl-cache``), so showing them would hand an agent the answer's category. A hash
    prefix is stable across servers and runs (trainers can still map it back) and says nothing.

    A plain hash can still be checked against a guess: an agent with a Python tool could hash
    ``sqli-user-lookup`` and compare. A deployment whose task ids are private sets
    ``$GRADERLIB_TASK_ID_KEY``; ids are then an HMAC under that key, which nobody without the
    key can recompute, and still stable for as long as the key is. ``key`` defaults to that
    setting, read once per process (:func:`graderlib.settings.get_settings`).
    """
    if key is None:
        secret = get_settings().task_id_key
        key = secret.get_secret_value() if secret is not None else None
    if key:
        digest = hmac.new(key.encode(), task_id.encode(), hashlib.sha256).hexdigest()
    else:
        digest = hashlib.sha256(task_id.encode()).hexdigest()
    return "task-" + digest[:12]


def split_of(task_id: str, weights: tuple[int, int, int] = (80, 10, 10)) -> Split:
    """A stable split from a hash of the id: adding tasks never moves existing ones."""
    bucket = int.from_bytes(hashlib.sha256(task_id.encode()).digest()[:8], "big") % sum(weights)
    if bucket < weights[0]:
        return "train"
    return "validation" if bucket < weights[0] + weights[1] else "test"


# ----------------------------------------------------------------------------- task.toml


class _Located(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: str | list[str] | None = None
    scope: Literal["file"] | None = None
    at: str | None = None


class _IssueSpec(_Located):
    id: str | None = None
    severity: Severity | None = None
    hint: str | None = None
    explanation: str | None = None
    fix_keywords: list[str] = []


class _TaskSpec(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str | None = None
    title: str | None = None
    difficulty: Difficulty = "medium"
    description: str = "Review this code. Report every bug and security issue you find."
    tags: list[str] = []
    issue: list[_IssueSpec] = []
    clean: list[_Located] = []
    rules: dict[str, str] = {}


def _describe_validation(error: ValidationError) -> str:
    parts = []
    for item in error.errors():
        where = ".".join(str(p) for p in item["loc"]) or "(top level)"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


# ------------------------------------------------------------------------------ loading


class _Builder:
    """Turns one task directory into a Task; holds the context that errors need."""

    def __init__(self, task_dir: Path, taxonomy: Taxonomy) -> None:
        self.dir = task_dir
        self.taxonomy = taxonomy
        self.task_id = task_dir.name
        self.toml_path = task_dir / TASK_TOML
        self.snippet_path = task_dir / SNIPPET

    def fail(
        self, message: str, *, file: Path | None = None, line: int | None = None
    ) -> TaskLoadError:
        return TaskLoadError(self.task_id, file or self.snippet_path, message, line)

    def read_spec(self) -> _TaskSpec:
        if not self.toml_path.is_file():
            raise self.fail(f"missing {TASK_TOML}", file=self.toml_path)
        try:
            raw = tomllib.loads(self.toml_path.read_text(encoding="utf-8"))
        except tomllib.TOMLDecodeError as error:
            raise self.fail(f"invalid TOML: {error}", file=self.toml_path) from None
        except UnicodeDecodeError:
            raise self.fail("not UTF-8 text", file=self.toml_path) from None
        except RecursionError:  # tomllib recurses once per nested array or inline table
            raw = None
        if raw is None or deeper_than(raw):
            raise self.fail(
                f"nested deeper than {MAX_DOCUMENT_DEPTH} levels of arrays and tables",
                file=self.toml_path,
            )
        try:
            spec = _TaskSpec.model_validate(raw)
        except ValidationError as error:
            raise self.fail(_describe_validation(error), file=self.toml_path) from None
        if spec.id:
            self.task_id = spec.id
        return spec

    def read_snippet(self) -> str:
        if not self.snippet_path.is_file():
            raise self.fail(f"missing {SNIPPET}")
        try:
            return self.snippet_path.read_text(encoding="utf-8")
        except UnicodeDecodeError as error:
            raise self.fail(f"not UTF-8 text (byte {error.start})") from None

    def resolve_category(
        self,
        name: str,
        rules: dict[str, str],
        *,
        line: int | None,
        file: Path | None = None,
        rule: bool = False,
    ) -> str:
        candidates = [rules[name]] if rule and name in rules else []
        candidates.append(name)
        if rule and "." in name:
            candidates.append(name.rsplit(".", 1)[-1])
        for candidate in candidates:
            resolved = self.taxonomy.try_resolve(candidate)
            if resolved is not None:
                return resolved
        suggestions = self.taxonomy.suggest(name)
        hint = f"; did you mean {', '.join(repr(s) for s in suggestions)}?" if suggestions else ""
        what = "rule" if rule else "category"
        extra = " (map it in the [rules] table of task.toml)" if rule else ""
        raise self.fail(f"unknown {what} {name!r}{hint}{extra}", file=file, line=line)

    def locate_table(
        self, located: LocatedModule, entry: _Located, where: str
    ) -> tuple[Span, Scope]:
        if entry.scope and entry.at:
            raise self.fail(f"{where}: give either scope or at, not both", file=self.toml_path)
        if entry.scope == "file":
            return Span(start=1, end=max(located.line_count, 1)), "file"
        if entry.at:
            found = located.find_definitions(entry.at)
            if len(found) != 1:
                known = ", ".join(sorted({d.path for d in located.definitions})) or "none"
                count = "no" if not found else f"{len(found)}"
                raise self.fail(
                    f"{where}: at = {entry.at!r} matches {count} definitions (known: {known})",
                    file=self.toml_path,
                )
            return found[0].whole, "definition"
        raise self.fail(
            f'{where}: needs scope = "file" or at = "<dotted path>"', file=self.toml_path
        )

    def categories_of(self, entry: _Located, rules: dict[str, str], where: str) -> tuple[str, ...]:
        names = [entry.category] if isinstance(entry.category, str) else list(entry.category or [])
        if not names:
            raise self.fail(f"{where}: needs a category", file=self.toml_path)
        return tuple(self.resolve_category(n, rules, line=None, file=self.toml_path) for n in names)

    def build(self) -> Task:
        spec = self.read_spec()
        text = self.read_snippet()
        try:
            stripped = strip_annotations(text)
        except AnnotationSyntaxError as error:
            raise self.fail(str(error), line=error.line) from None
        try:
            module = cst.parse_module(stripped.source)
        except cst.ParserSyntaxError as error:
            raise self.fail(
                f"snippet does not parse: {error.message}",
                line=_original_line(stripped.clean_line_of, error.raw_line),
            ) from None
        located = locate_module(module)
        issues: list[dict[str, Any]] = []
        clean: list[CleanMark] = []
        for annotation in stripped.annotations:
            self.apply_annotation(annotation, stripped.clean_line_of, located, spec, issues, clean)
        self.apply_tables(spec, located, issues, clean)
        self.check_contradictions(issues, clean)
        finished = self.assign_ids(issues)
        return Task(
            id=self.task_id,
            title=spec.title or self.task_id,
            difficulty=spec.difficulty,
            description=spec.description,
            tags=tuple(spec.tags),
            source=stripped.source,
            issues=tuple(finished),
            clean=tuple(clean),
            path=self.dir,
            tests_path=self.dir / TESTS if (self.dir / TESTS).is_file() else None,
            fix_path=next((self.dir / f for f in FIX_FILES if (self.dir / f).is_file()), None),
            line_count=located.line_count,
        )

    def anchor_span(
        self, annotation: Annotation, clean_line_of: dict[int, int], located: LocatedModule
    ) -> Span:
        if annotation.target_line is None:
            raise self.fail(
                f"'{annotation.kind}:' annotation is followed by no statement", line=annotation.line
            )
        clean_line = clean_line_of[annotation.target_line]
        if annotation.own_line:
            anchor = located.anchor_at(clean_line)
            if anchor is not None:
                return anchor.header
            # inside a statement (an argument, a dict entry, a chained call, a string part):
            # the smallest node starting there, as semgrep's rule tests expect
            inner = located.inner_at(clean_line)
            if inner is None:
                raise self.fail(
                    f"'{annotation.kind}:' annotation: nothing starts on the next code line "
                    f"(line {annotation.target_line}); put it directly above the code it marks",
                    line=annotation.line,
                )
            return inner
        # A trailing annotation marks the innermost statement that contains its line.
        for start in range(clean_line, 0, -1):
            anchor = located.anchor_at(start)
            if anchor is not None and anchor.whole.contains(clean_line):
                return anchor.header if anchor.header.contains(clean_line) else anchor.whole
        raise self.fail(
            f"'{annotation.kind}:' annotation is not on a statement", line=annotation.line
        )

    def apply_annotation(
        self,
        annotation: Annotation,
        clean_line_of: dict[int, int],
        located: LocatedModule,
        spec: _TaskSpec,
        issues: list[dict[str, Any]],
        clean: list[CleanMark],
    ) -> None:
        if annotation.kind in ("todoruleid", "todook"):
            return
        span = self.anchor_span(annotation, clean_line_of, located)
        rule = annotation.kind != "expect"
        categories = tuple(
            self.resolve_category(n, spec.rules, line=annotation.line, rule=rule)
            for n in annotation.names
        )
        if annotation.kind == "ok":
            clean.append(CleanMark(categories=categories, span=span))
            return
        severity = annotation.options.get("severity")
        if severity is not None and severity not in Severity.__members__.values():
            raise self.fail(
                f"unknown severity {severity!r} (critical, high, medium, low)", line=annotation.line
            )
        groups = [categories] if annotation.kind == "expect" else [(c,) for c in categories]
        for group in groups:
            issues.append(
                {
                    "id": annotation.options.get("id"),
                    "categories": group,
                    "severity": severity,
                    "span": span,
                    "scope": "statement",
                    "line": annotation.line,
                }
            )

    def apply_tables(
        self,
        spec: _TaskSpec,
        located: LocatedModule,
        issues: list[dict[str, Any]],
        clean: list[CleanMark],
    ) -> None:
        for number, entry in enumerate(spec.issue, start=1):
            where = f"[[issue]] #{number}" + (f" (id {entry.id!r})" if entry.id else "")
            extra = {
                "hint": entry.hint,
                "explanation": entry.explanation,
                "fix_keywords": tuple(entry.fix_keywords),
            }
            inline = [i for i in issues if entry.id is not None and i["id"] == entry.id]
            if inline and not entry.scope and not entry.at:
                target = inline[0]
                if entry.category is not None:
                    wanted = self.categories_of(entry, spec.rules, where)
                    if not set(wanted) & set(target["categories"]):
                        raise self.fail(
                            f"{where}: category differs from the annotation's", file=self.toml_path
                        )
                if entry.severity is not None:
                    target["severity"] = entry.severity.value
                target.update({k: v for k, v in extra.items() if v})
                continue
            span, scope = self.locate_table(located, entry, where)
            issues.append(
                {
                    "id": entry.id,
                    "categories": self.categories_of(entry, spec.rules, where),
                    "severity": entry.severity.value if entry.severity else None,
                    "span": span,
                    "scope": scope,
                    "line": None,
                    **extra,
                }
            )
        for number, mark in enumerate(spec.clean, start=1):
            span, scope = self.locate_table(located, mark, f"[[clean]] #{number}")
            clean.append(
                CleanMark(
                    categories=self.categories_of(mark, spec.rules, f"[[clean]] #{number}"),
                    span=span,
                    scope=scope,
                )
            )

    def check_contradictions(
        self, issues: Sequence[dict[str, Any]], clean: Sequence[CleanMark]
    ) -> None:
        for mark in clean:
            for issue in issues:
                if (
                    mark.scope == "statement"
                    and issue["scope"] == "statement"
                    and mark.span == issue["span"]
                    and set(mark.categories) & set(issue["categories"])
                ):
                    raise self.fail(
                        f"statement at line {mark.span.start} is marked both expect and ok "
                        f"for {sorted(set(mark.categories) & set(issue['categories']))}",
                        line=issue["line"],
                    )

    def assign_ids(self, issues: list[dict[str, Any]]) -> list[Issue]:
        seen: dict[str, int | None] = {}
        for issue in issues:
            explicit = issue["id"]
            if explicit is None:
                continue
            if explicit in seen:
                raise self.fail(
                    f"issue id {explicit!r} is used twice",
                    line=issue["line"],
                    file=self.snippet_path if issue["line"] else self.toml_path,
                )
            seen[explicit] = issue["line"]
        finished = []
        for issue in issues:
            if issue["id"] is None:
                base = issue["categories"][0].lower()
                candidate, n = base, 1
                while candidate in seen:
                    n += 1
                    candidate = f"{base}-{n}"
                issue["id"] = candidate
                seen[candidate] = issue["line"]
            severity = issue["severity"] or self.taxonomy.default_severity(issue["categories"][0])
            finished.append(
                Issue(
                    id=issue["id"],
                    categories=issue["categories"],
                    severity=Severity(severity),
                    span=issue["span"],
                    scope=issue["scope"],
                    hint=issue.get("hint"),
                    explanation=issue.get("explanation"),
                    fix_keywords=issue.get("fix_keywords", ()),
                )
            )
        return finished


def _original_line(clean_line_of: dict[int, int], clean_line: int) -> int:
    for original, clean in clean_line_of.items():
        if clean == clean_line:
            return original
    return clean_line


def load_task(path: str | Path, *, taxonomy: Taxonomy | None = None) -> Task:
    """Load one task directory (or the ``task.toml``/``snippet.py`` inside it)."""
    task_dir = Path(path)
    if task_dir.is_file() and task_dir.name in (TASK_TOML, SNIPPET):
        task_dir = task_dir.parent
    if not task_dir.is_dir():
        raise TaskLoadError(task_dir.name, task_dir, "no such task directory")
    return _Builder(task_dir, taxonomy or default_taxonomy()).build()


def find_task_dirs(roots: Iterable[str | Path]) -> list[Path]:
    """Every directory under ``roots`` that holds a ``task.toml``, sorted."""
    found: set[Path] = set()
    for root in map(Path, roots):
        if (root / TASK_TOML).is_file():
            found.add(root)
        elif root.is_dir():
            found.update(p.parent for p in root.rglob(TASK_TOML))
    return sorted(found)


def default_tasks_dir() -> Path:
    """The repository's ``tasks/`` (next to the package in a checkout)."""
    return Path(__file__).resolve().parent.parent / "tasks"


def load_tasks(
    root: str | Path | None = None,
    *,
    split: Split | None = None,
    difficulty: Difficulty | None = None,
) -> list[Task]:
    """Load every task under ``root``, optionally one split or difficulty, sorted by id.

    Splits are stable: a task's split is a hash of its id, so adding or removing tasks never
    moves another task between train, validation and test.
    """
    tasks = [load_task(d) for d in find_task_dirs([root or default_tasks_dir()])]
    if split is not None:
        tasks = [t for t in tasks if t.split == split]
    if difficulty is not None:
        tasks = [t for t in tasks if t.difficulty == difficulty]
    duplicates = sorted(i for i, n in Counter(t.id for t in tasks).items() if n > 1)
    if duplicates:
        raise TaskLoadError(
            duplicates[0],
            root or default_tasks_dir(),
            f"task id used by several directories: {duplicates}",
        )
    return sorted(tasks, key=lambda t: t.id)
