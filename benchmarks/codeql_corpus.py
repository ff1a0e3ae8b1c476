"""Line-level recall and precision on CodeQL's Python security tests, a corpus nobody here wrote.

The corpus is ``shared/data/codeql-python-security-tests`` (MIT, see its SOURCE.md), read in
place from ``Path(__file__).resolve().parents[2] / "shared" / "data"`` or
``$GRADERLIB_SHARED_DATA``; it is never copied into this repository.

CodeQL's tests are exhaustive per query: in a test folder (``CWE-089-SqlInjection``), every
line the folder's query must report carries a label in ``labels.jsonl`` (kind ``alert``, or
``missing`` for a real bug CodeQL itself misses), and every other line is one where that query
must stay silent (``spurious`` marks a line CodeQL reports although the code is safe). So, per
folder whose CWE graderlib has a taxonomy category for:

- **recall**: a positive label (alert or missing) is found when a finding's span, widened by one
  line each way, covers the label's line, and the finding's category is the folder's category
  or a CWE parent/child of it;
- **precision**: of the findings of that category family in the folder's files, the share
  whose widened span covers a positive label. A finding on an unlabelled (or spurious) line is
  a false alarm.

A third of the folders, chosen by a fixed hash of the folder name, is the held-out split: it
is reported apart and is never used to decide how to fix a detector.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from graderlib.detectors import DetectorFinding, scan
from graderlib.taxonomy import Relation, default_taxonomy

CORPUS_NAME = "codeql-python-security-tests"
POSITIVE_KINDS = frozenset({"alert", "missing"})
NEAR = 1
#: Tool sets scored; the merged scan is the default ``scan()`` (graderlib, bandit, ruff).
TOOL_SETS: dict[str, tuple[str, ...]] = {
    "graderlib": ("graderlib",),
    "bandit": ("bandit",),
    "ruff": ("ruff",),
    "merged": ("graderlib", "bandit", "ruff"),
}


def corpus_root() -> Path:
    """Where the third-party data lives: $GRADERLIB_SHARED_DATA, else ../shared/data."""
    base = os.environ.get("GRADERLIB_SHARED_DATA")
    root = Path(base) if base else Path(__file__).resolve().parents[2] / "shared" / "data"
    return root / CORPUS_NAME


def is_holdout(folder: str) -> bool:
    """The fixed held-out third: a hash of the folder name, independent of its content."""
    return hashlib.sha256(folder.encode()).digest()[0] % 3 == 0


@dataclass(frozen=True)
class Folder:
    """One CodeQL test folder whose CWE graderlib has a category for."""

    name: str
    cwe: int
    category: str
    files: tuple[str, ...]
    #: file -> positive label lines
    positives: dict[str, frozenset[int]]


@dataclass
class Tally:
    labels: int = 0
    found: int = 0
    findings: int = 0
    true_findings: int = 0
    per_cwe: dict[int, list[int]] = field(default_factory=dict)

    def add(self, cwe: int, labels: int, found: int, findings: int, true_findings: int) -> None:
        self.labels += labels
        self.found += found
        self.findings += findings
        self.true_findings += true_findings
        row = self.per_cwe.setdefault(cwe, [0, 0, 0, 0])
        for index, value in enumerate((labels, found, findings, true_findings)):
            row[index] += value

    def summary(self) -> dict[str, object]:
        return {
            "labels": self.labels,
            "recall": _ratio(self.found, self.labels),
            "precision": _ratio(self.true_findings, self.findings),
            "findings": self.findings,
            "per_cwe": {
                f"CWE-{cwe}": {
                    "labels": row[0],
                    "recall": _ratio(row[1], row[0]),
                    "findings": row[2],
                    "precision": _ratio(row[3], row[2]),
                }
                for cwe, row in sorted(self.per_cwe.items())
            },
        }


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def folders(root: Path | None = None) -> list[Folder]:
    """The test folders (current layout) of every CWE that maps to a graderlib category."""
    root = root or corpus_root()
    taxonomy = default_taxonomy()
    positives: dict[str, dict[str, set[int]]] = {}
    cwes: dict[str, int] = {}
    for line in (root / "labels.jsonl").read_text().splitlines():
        label = json.loads(line)
        if label["cwe"] is None:
            continue
        folder = label["file"].split("/", 1)[0]
        cwes[folder] = int(label["cwe"])
        if label["kind"] in POSITIVE_KINDS:
            lines = positives.setdefault(folder, {}).setdefault(label["file"], set())
            lines.add(int(label["line"]))
    found: list[Folder] = []
    for name, cwe in sorted(cwes.items()):
        category = taxonomy.try_resolve(f"CWE-{cwe}")
        if category is None or taxonomy.get(category) is None:
            continue  # graderlib has no category for this CWE
        files = tuple(
            str(p.relative_to(root)) for p in sorted((root / name).rglob("*.py")) if p.is_file()
        )
        by_file = {f: frozenset(v) for f, v in positives.get(name, {}).items()}
        found.append(Folder(name, cwe, category, files, by_file))
    return found


def _covers(finding: DetectorFinding, line: int) -> bool:
    return finding.span.start - NEAR <= line <= finding.span.end + NEAR


Scanner = Callable[[str, tuple[str, ...], str], list[DetectorFinding]]


def _default_scanner(source: str, tools: tuple[str, ...], path: str) -> list[DetectorFinding]:
    return list(scan(source, tools, path=path).findings)


def score(
    chosen: Iterable[Folder],
    tools: tuple[str, ...],
    scanner: Scanner = _default_scanner,
    root: Path | None = None,
) -> Tally:
    """Recall and precision of one tool set over the chosen folders."""
    root = root or corpus_root()
    taxonomy = default_taxonomy()
    tally = Tally()
    for folder in chosen:
        for relative in folder.files:
            source = (root / relative).read_text(encoding="utf-8", errors="replace")
            findings = [
                f
                for f in scanner(source, tools, relative)
                if taxonomy.relation(f.category, folder.category) >= Relation.PARENT_CHILD
            ]
            lines = folder.positives.get(relative, frozenset())
            found = sum(1 for line in lines if any(_covers(f, line) for f in findings))
            true = sum(1 for f in findings if any(_covers(f, line) for line in lines))
            tally.add(folder.cwe, len(lines), found, len(findings), true)
    return tally


def quality(root: Path | None = None) -> dict[str, object]:
    """Every tool set on the held-out third, the rest, and the whole corpus."""
    root = root or corpus_root()
    if not (root / "labels.jsonl").exists():
        return {"skipped": f"no corpus at {root}"}
    chosen = folders(root)
    cache: dict[tuple[str, tuple[str, ...]], list[DetectorFinding]] = {}

    def cached(source: str, tools: tuple[str, ...], path: str) -> list[DetectorFinding]:
        key = (path, tools)
        if key not in cache:
            cache[key] = _default_scanner(source, tools, path)
        return cache[key]

    splits = {
        "holdout": [f for f in chosen if is_holdout(f.name)],
        "dev": [f for f in chosen if not is_holdout(f.name)],
        "all": chosen,
    }
    report: dict[str, object] = {
        "folders": {split: [f.name for f in items] for split, items in splits.items()},
    }
    for split, items in splits.items():
        report[split] = {
            name: score(items, tools, cached, root).summary() for name, tools in TOOL_SETS.items()
        }
    return report


def headline(report: dict[str, object]) -> str:
    """One line per split and tool set: recall @ precision."""
    rows = []
    for split in ("holdout", "dev", "all"):
        scores = report.get(split)
        if not isinstance(scores, dict):
            continue
        cells = [
            f"{tool} {s['recall']}@{s['precision']} ({s['labels']})" for tool, s in scores.items()
        ]
        rows.append(f"{split:8} " + "  ".join(cells))
    return "\n".join(rows)


if __name__ == "__main__":
    import sys

    result = quality()
    if "--json" in sys.argv:
        print(json.dumps(result, indent=2))
    else:
        print(headline(result))
