"""A tool's output over a corpus, mapped to the tasks its results belong to.

A scorecard reads what a tool wrote about a whole corpus (one SARIF log, graderlib's JSON, a
JSONL file of ``{"task", "findings"}`` lines, or a directory of those) and has to say which
task every result is about. A result names a file (``artifactLocation.uri``, made absolute
through ``uriBaseId``/``originalUriBaseIds`` where the log says so); any of these names a task:

1. the snippet's path relative to a corpus root (``sqli-user-lookup/snippet.py``);
2. a path ending in ``<task-id>/snippet.py``;
3. a file whose stem is a task id (``testcode/Case00011.py`` is task ``Case00011``), so a tool
   can run on a corpus in its original layout.

A result that names no task, or that nothing in the taxonomy explains, is :class:`Unmapped`:
counted and listed by the scorecard, never dropped without a word.

A tool that scans the task directories themselves sees ``snippet.py`` with its annotation
comments, so its line numbers are those of the annotated file; results identified by rule 1 or
2 are moved to the cleaned source's lines, which is what the agent sees and the ground truth
uses.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import unquote, urlparse

from pydantic import ValidationError

from graderlib.annotations import AnnotationSyntaxError, strip_annotations
from graderlib.findings import (
    MAX_INPUT_BYTES,
    MAX_TEXT,
    Finding,
    FindingsError,
    cwe_candidates,
    parse_findings,
    sarif_category,
    sarif_rules,
    sarif_suppression,
    taxa_cwes,
)
from graderlib.task import SNIPPET, Task
from graderlib.taxonomy import cwe_number, default_taxonomy

FINDINGS_SUFFIXES = (".sarif", ".json", ".jsonl")
_LEVEL_SEVERITY = {"error": "high", "warning": "medium", "note": "low", "none": "low"}


@dataclass(frozen=True, slots=True)
class ToolResult:
    """One result as a tool wrote it, before anyone knows which task it is about."""

    origin: str  # the output file and the place in it, for messages: "x.sarif: runs[0].results[3]"
    uri: str | None  # the file the result names, base ids resolved
    task: str | None  # a task named outright (JSONL's "task")
    line: int | None
    end_line: int | None
    category: str | None  # graderlib's reading of the rule; None: nothing explains it
    stated_cwe: int | None  # the CWE the tool itself claims for this result
    rule_id: str | None = None
    message: str = ""
    severity: str | None = None
    finding: Finding | None = None  # already validated (JSON and JSONL input)
    suppressed: str | None = None  # the tool marked it suppressed (SARIF), and why


@dataclass(frozen=True, slots=True)
class TaskResult:
    """A result mapped to a task: the finding to grade (on the cleaned source's lines, its
    ``file`` cleared because the task is known) and the CWE the tool stated, if any."""

    finding: Finding
    stated_cwe: int | None


@dataclass(frozen=True, slots=True)
class Unmapped:
    """A result the scorecard could not count, and why."""

    origin: str
    uri: str | None
    rule_id: str | None
    line: int | None
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "origin": self.origin,
            "uri": self.uri,
            "rule_id": self.rule_id,
            "line": self.line,
            "reason": self.reason,
        }


# ---------------------------------------------------------------------------- reading


def read_tool_output(path: str | Path) -> list[ToolResult]:
    """Every result in a ``.sarif``, ``.json`` or ``.jsonl`` file, or in a directory of them.

    In a directory, a result that names neither a file nor a task takes the stem of the file
    it was read from as its task, so ``out/<task-id>.json`` per task works.
    """
    root = Path(path)
    if root.is_dir():
        files = sorted(p for p in root.rglob("*") if p.suffix in FINDINGS_SUFFIXES and p.is_file())
        if not files:
            raise FindingsError(f"{root}: no .sarif, .json or .jsonl file in this directory")
        results: list[ToolResult] = []
        for file in files:
            for result in _read_file(file):
                if result.uri is None and result.task is None:
                    result = _with_task(result, file.stem)
                results.append(result)
        return results
    if not root.exists():
        raise FindingsError(f"{root}: no such file or directory")
    return _read_file(root)


def _with_task(result: ToolResult, task: str) -> ToolResult:
    values = {name: getattr(result, name) for name in ToolResult.__slots__}
    values["task"] = task
    return ToolResult(**values)


def _read_text(file: Path) -> str:
    try:
        if file.stat().st_size > MAX_INPUT_BYTES:
            raise FindingsError(f"{file}: larger than {MAX_INPUT_BYTES} bytes")
        return file.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise FindingsError(f"{file}: not UTF-8 text") from None
    except OSError as error:
        raise FindingsError(f"{file}: cannot read ({error.strerror})") from None


def _read_file(file: Path) -> list[ToolResult]:
    text = _read_text(file)
    if file.suffix == ".jsonl":
        return list(_jsonl_results(file, text))
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise FindingsError(f"{file}: not valid JSON ({error})") from None
    if isinstance(document, Mapping) and "runs" in document:
        return list(_sarif_results(file, document))
    try:
        findings = parse_findings(document)
    except FindingsError as error:
        raise FindingsError(f"{file}: {error}") from None
    return [_from_finding(f"{file}: findings[{i}]", f, None) for i, f in enumerate(findings)]


def _from_finding(origin: str, finding: Finding, task: str | None) -> ToolResult:
    return ToolResult(
        origin=origin,
        uri=finding.file,
        task=task,
        line=finding.line,
        end_line=finding.end_line,
        category=finding.category,
        stated_cwe=None,
        rule_id=finding.rule_id,
        message=finding.message,
        severity=finding.severity.value if finding.severity else None,
        finding=finding,
    )


def _jsonl_results(file: Path, text: str) -> Iterator[ToolResult]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{file}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise FindingsError(f"{where}: not valid JSON ({error.msg})") from None
        if not isinstance(record, Mapping) or not isinstance(record.get("task"), str):
            raise FindingsError(f'{where}: expected {{"task": "<task id>", "findings": [...]}}')
        unknown = set(record) - {"task", "findings"}
        if unknown:
            raise FindingsError(f"{where}: unknown keys {sorted(unknown)}")
        try:
            findings = parse_findings(record.get("findings", []))
        except FindingsError as error:
            raise FindingsError(f"{where}: {error}") from None
        for index, finding in enumerate(findings):
            yield _from_finding(f"{where}: findings[{index}]", finding, record["task"])


# ------------------------------------------------------------------------------ SARIF


def _sarif_results(file: Path, document: Mapping[str, Any]) -> Iterator[ToolResult]:
    runs = document["runs"]
    if not isinstance(runs, list):
        raise FindingsError(f"{file}: not a SARIF log: 'runs' is not a list")
    for run_index, run in enumerate(runs):
        if not isinstance(run, Mapping):
            raise FindingsError(f"{file}: runs[{run_index}] is not an object")
        rules = sarif_rules(run)
        bases = run.get("originalUriBaseIds")
        artifacts = run.get("artifacts")
        for result_index, result in enumerate(run.get("results") or []):
            where = f"{file}: runs[{run_index}].results[{result_index}]"
            if not isinstance(result, Mapping):
                raise FindingsError(f"{where} is not an object")
            rule = _rule_of(result, rules, run)
            physical = _physical_location(result)
            region = physical.get("region") or {}
            message = result.get("message") or {}
            start = region.get("startLine")
            end = region.get("endLine")
            claimed = stated_cwe(result, rule, run)
            # The rule id first (graderlib's reading), else the CWE the tool states (taxa too).
            category = sarif_category(result, rule, run) or (
                default_taxonomy().try_resolve(f"CWE-{claimed}") if claimed else None
            )
            yield ToolResult(
                origin=where,
                uri=_artifact_uri(physical.get("artifactLocation"), bases, artifacts),
                task=None,
                line=start if isinstance(start, int) and start >= 1 else None,
                end_line=end
                if isinstance(end, int) and isinstance(start, int) and end >= start
                else None,
                category=category,
                stated_cwe=claimed,
                rule_id=_text(result.get("ruleId") or rule.get("id")),
                message=str(message.get("text") or message.get("markdown") or "")[:MAX_TEXT]
                if isinstance(message, Mapping)
                else "",
                severity=_LEVEL_SEVERITY.get(str(result.get("level", "warning"))),
                suppressed=sarif_suppression(result),
            )


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _rule_of(
    result: Mapping[str, Any], rules: Mapping[str, Mapping[str, Any]], run: Mapping[str, Any]
) -> Mapping[str, Any]:
    rule = rules.get(str(result.get("ruleId")))
    if rule is not None:
        return rule
    # Some tools (CodeQL) identify the rule by its index in the driver's list only.
    index = result.get("ruleIndex")
    driver_rules = ((run.get("tool") or {}).get("driver") or {}).get("rules") or []
    if isinstance(index, int) and 0 <= index < len(driver_rules):
        found = driver_rules[index]
        return found if isinstance(found, Mapping) else {}
    return {}


def _physical_location(result: Mapping[str, Any]) -> Mapping[str, Any]:
    locations = result.get("locations")
    if not isinstance(locations, list) or not locations or not isinstance(locations[0], Mapping):
        return {}
    physical = locations[0].get("physicalLocation")
    return physical if isinstance(physical, Mapping) else {}


def stated_cwe(
    result: Mapping[str, Any], rule: Mapping[str, Any], run: Mapping[str, Any]
) -> int | None:
    """The CWE a SARIF result claims: its own ``taxa`` or ``properties.cwe`` first, else the
    rule's first CWE tag, else the rule's CWE relationship. None when the tool claims none."""
    properties = result.get("properties")
    own = (
        {k: v for k, v in properties.items() if k != "tags"}
        if isinstance(properties, Mapping)
        else {}
    )
    claims = (
        taxa_cwes(result.get("taxa"), run),
        cwe_candidates(own),
        cwe_candidates(rule.get("properties")),
        taxa_cwes(rule.get("relationships"), run),
    )
    for claim in claims:
        for candidate in claim:
            if (number := cwe_number(candidate)) is not None:
                return number
    return None


def _artifact_uri(location: object, bases: object, artifacts: object) -> str | None:
    """The artifact's URI with its ``uriBaseId`` chain resolved, or None if it names none."""
    if not isinstance(location, Mapping):
        return None
    uri = location.get("uri")
    index = location.get("index")
    if (
        not isinstance(uri, str)
        and isinstance(artifacts, list)
        and isinstance(index, int)
        and 0 <= index < len(artifacts)
        and isinstance(artifacts[index], Mapping)
    ):
        location = artifacts[index].get("location") or {}
        uri = location.get("uri") if isinstance(location, Mapping) else None
    if not isinstance(uri, str):
        return None
    seen: set[str] = set()
    base_id = location.get("uriBaseId") if isinstance(location, Mapping) else None
    while isinstance(base_id, str) and base_id not in seen and isinstance(bases, Mapping):
        seen.add(base_id)
        base = bases.get(base_id)
        if not isinstance(base, Mapping) or not isinstance(base.get("uri"), str):
            break  # an undefined base (e.g. %SRCROOT%): the uri stays relative
        prefix = base["uri"]
        uri = prefix + ("" if prefix.endswith("/") else "/") + uri
        base_id = base.get("uriBaseId")
    return uri


# ----------------------------------------------------------------------------- corpus


def _uri_path(uri: str) -> PurePosixPath:
    parsed = urlparse(uri)
    if parsed.scheme == "file":
        return PurePosixPath(unquote(parsed.path))
    if parsed.scheme and len(parsed.scheme) > 1:  # not a Windows drive letter
        return PurePosixPath(unquote(parsed.path))
    return PurePosixPath(unquote(uri).replace("\\", "/"))


@dataclass
class Corpus:
    """The tasks under some roots, and the names a tool may use for each of them."""

    tasks: Sequence[Task]
    roots: Sequence[Path] = ()
    _line_maps: dict[str, dict[int, int] | None] = field(default_factory=dict, repr=False)

    @cached_property
    def by_id(self) -> dict[str, Task]:
        named: dict[str, Task] = {}
        for task in self.tasks:
            named.setdefault(task.id, task)
            if task.path is not None:
                named.setdefault(task.path.name, task)
        return named

    @cached_property
    def by_relative_path(self) -> dict[str, Task]:
        paths: dict[str, Task] = {}
        for root in self.roots:
            base = root.resolve()
            for task in self.tasks:
                if task.path is None:
                    continue
                try:
                    relative = task.path.resolve().relative_to(base)
                except ValueError:
                    continue
                paths.setdefault((PurePosixPath(*relative.parts) / SNIPPET).as_posix(), task)
        return paths

    def identify(self, uri: str) -> tuple[Task, bool] | None:
        """The task ``uri`` names and whether it names that task's own ``snippet.py``."""
        path = _uri_path(uri)
        for relative in self._relative_forms(path):
            if (task := self.by_relative_path.get(relative)) is not None:
                return task, True
        parts = path.parts
        if len(parts) >= 2 and parts[-1] == SNIPPET and (task := self.by_id.get(parts[-2])):
            return task, True
        if path.suffix == ".py" and (task := self.by_id.get(path.stem)) is not None:
            return task, False
        return None

    def _relative_forms(self, path: PurePosixPath) -> Iterable[str]:
        if not path.is_absolute():
            yield PurePosixPath(*(p for p in path.parts if p != ".")).as_posix()
            # A tool run from here wrote paths relative to here (`graderlib scan tasks/`).
            path = PurePosixPath(Path(path).resolve().as_posix())
        for root in self.roots:
            try:
                yield path.relative_to(root.resolve().as_posix()).as_posix()
            except ValueError:
                continue

    def clean_line(self, task: Task, line: int) -> int:
        """``line`` of the task's annotated ``snippet.py`` as a line of its cleaned source."""
        if task.id not in self._line_maps:
            self._line_maps[task.id] = _annotated_line_map(task)
        mapping = self._line_maps[task.id]
        if mapping is None:
            return line
        # A line that held an annotation comment belongs to the code line after it.
        for candidate in range(line, line + 1 + len(mapping)):
            if candidate in mapping:
                return mapping[candidate]
        return max(mapping.values(), default=line)


def _annotated_line_map(task: Task) -> dict[int, int] | None:
    """Original -> cleaned line numbers, or None when the file on disk is the cleaned source."""
    if task.path is None:
        return None
    try:
        text = (task.path / SNIPPET).read_text(encoding="utf-8")
    except OSError:
        return None
    if text == task.source:
        return None
    try:
        stripped = strip_annotations(text)
    except AnnotationSyntaxError:  # edited since the task was loaded
        return None
    return stripped.clean_line_of if stripped.source == task.source else None


@dataclass
class MappedOutput:
    """A tool's results, grouped by task id (in corpus order), and the ones no task took."""

    by_task: dict[str, list[TaskResult]]
    unmapped: list[Unmapped]
    total: int


def map_results(results: Iterable[ToolResult], corpus: Corpus) -> MappedOutput:
    """Assign every result to its task, or list it as unmapped with the reason."""
    by_task: dict[str, list[TaskResult]] = {task.id: [] for task in corpus.tasks}
    unmapped: list[Unmapped] = []
    total = 0
    for result in results:
        total += 1
        # A result its tool withdrew is no finding; it is listed, with why, not dropped.
        mapped = (
            f"suppressed by the tool ({result.suppressed})"
            if result.suppressed is not None
            else _map_one(result, corpus)
        )
        if isinstance(mapped, str):
            named = result.uri or result.task
            unmapped.append(Unmapped(result.origin, named, result.rule_id, result.line, mapped))
        else:
            by_task[mapped[0]].append(mapped[1])
    return MappedOutput(by_task, unmapped, total)


def _map_one(result: ToolResult, corpus: Corpus) -> tuple[str, TaskResult] | str:
    """``(task id, result on its lines)``, or the reason the result cannot be counted."""
    identified = _identify(result, corpus)
    if identified is None:
        named = result.uri or result.task
        return f"{named!r} names no task in the corpus" if named else "names no file or task"
    task, annotated_file = identified
    if result.category is None:
        return f"no category explains rule {result.rule_id!r}"
    if result.line is None:
        return "has no start line"
    line, end = result.line, result.end_line
    if annotated_file:
        line = corpus.clean_line(task, line)
        end = corpus.clean_line(task, end) if end is not None else None
    where = {"line": line, "end_line": end if end is not None and end >= line else None}
    if result.finding is not None:
        finding = result.finding
        if (finding.line, finding.end_line, finding.file) != (
            where["line"],
            where["end_line"],
            None,
        ):
            finding = finding.model_copy(update={**where, "file": None})
    else:
        try:
            finding = Finding.model_validate(
                {
                    **where,
                    "category": result.category,
                    "severity": result.severity,
                    "message": result.message,
                    "rule_id": result.rule_id,
                }
            )
        except ValidationError as error:
            return "not a valid finding: " + "; ".join(
                f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in error.errors()[:3]
            )
    return task.id, TaskResult(finding, result.stated_cwe)


def _identify(result: ToolResult, corpus: Corpus) -> tuple[Task, bool] | None:
    if result.task is not None:
        task = corpus.by_id.get(result.task)
        if task is None:
            identified = corpus.identify(result.task)
            task = identified[0] if identified else None
        # A named task's findings are on the lines the agent saw: the cleaned source.
        return (task, False) if task is not None else None
    if result.uri is not None:
        return corpus.identify(result.uri)
    return None
