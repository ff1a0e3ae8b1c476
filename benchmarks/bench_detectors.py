"""Detector quality (OWASP-Benchmark style) and speed, each against an anchor in the same run.

Quality: every file of ``benchmarks/corpus`` is labelled with a CWE and whether it is
vulnerable to it (``labels.toml``). A tool *flags* a file when it reports the label's category,
or a parent/child of it in the CWE hierarchy. Per category, TPR is the share of vulnerable
files flagged and FPR the share of safe look-alikes flagged; Youden's J = TPR - FPR, averaged
over categories, as the OWASP Benchmark scorecard does. Reported for graderlib alone, bandit
alone, ruff alone, graderlib + bandit combined (the union of their categories), and the merged
``scan()`` of all three tools (after consensus drops what graderlib's dataflow proved safe).

Third-party quality: line-level recall and precision on CodeQL's Python security query tests,
a corpus nobody here wrote (see :mod:`benchmarks.codeql_corpus`), with a held-out third.

Speed: graderlib's detectors plus in-process bandit on a ~300-line file, as a ratio to one
``bandit`` CLI run on the same file (target <= 1/3), and to one ``ruff check`` CLI run.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

from benchmarks import codeql_corpus
from benchmarks.timing import interleaved_medians
from graderlib.detectors import scan
from graderlib.detectors.ruff import ruff_command
from graderlib.taxonomy import Relation, default_taxonomy

CORPUS = Path(__file__).parent / "corpus"
SPEED_FIXTURE_LINES = 300
TOOL_SETS: dict[str, tuple[str, ...]] = {
    "graderlib": ("graderlib",),
    "bandit": ("bandit",),
    "ruff": ("ruff",),
    "graderlib+bandit": ("graderlib", "bandit"),
    "merged": ("graderlib", "bandit", "ruff"),
}


def _labels() -> list[dict[str, object]]:
    table = tomllib.loads((CORPUS / "labels.toml").read_text())
    files: list[dict[str, object]] = table["file"]
    return files


def _flags(categories: frozenset[str], expected: str) -> bool:
    taxonomy = default_taxonomy()
    return any(taxonomy.relation(c, expected) >= Relation.PARENT_CHILD for c in categories)


def quality() -> dict[str, object]:
    """Scores on every split: ``dev`` (seen while building), ``holdout`` (never tuned on) and
    ``blind`` (written by hands that never saw the detectors, measured once as it arrived)."""
    labels = _labels()
    found = _found(labels)
    report: dict[str, object] = {}
    for split in ("blind", "holdout", "dev", "all"):
        subset = [e for e in labels if split == "all" or e.get("split") == split]
        report[split] = _score(subset, found)
    return report


def _found(labels: list[dict[str, object]]) -> dict[str, dict[str, frozenset[str]]]:
    per_tool_found: dict[str, dict[str, frozenset[str]]] = {}
    for entry in labels:
        path = str(entry["path"])
        source = (CORPUS / path).read_text()
        found = {
            tool: scan(source, (tool,), path=path).categories for tool in ("graderlib", "bandit")
        }
        found["ruff"] = scan(source, ("ruff",), path=path).categories
        found["graderlib+bandit"] = found["graderlib"] | found["bandit"]
        found["merged"] = scan(source, path=path).categories
        per_tool_found[path] = found
    return per_tool_found


def _score(
    labels: list[dict[str, object]], per_tool_found: dict[str, dict[str, frozenset[str]]]
) -> dict[str, object]:
    taxonomy = default_taxonomy()
    report: dict[str, object] = {"files": len(labels)}
    for tool in TOOL_SETS:
        counts: dict[str, dict[str, int]] = {}
        for entry in labels:
            category = taxonomy.resolve(f"CWE-{entry['cwe']}")
            row = counts.setdefault(category, {"tp": 0, "fn": 0, "fp": 0, "tn": 0})
            flagged = _flags(per_tool_found[str(entry["path"])][tool], category)
            if entry["vulnerable"]:
                row["tp" if flagged else "fn"] += 1
            else:
                row["fp" if flagged else "tn"] += 1
        categories: dict[str, dict[str, float]] = {}
        for category, row in sorted(counts.items()):
            tpr = row["tp"] / max(row["tp"] + row["fn"], 1)
            fpr = row["fp"] / max(row["fp"] + row["tn"], 1)
            categories[category] = {
                "tpr": round(tpr, 3),
                "fpr": round(fpr, 3),
                "youden": round(tpr - fpr, 3),
            }
        mean = sum(c["youden"] for c in categories.values()) / max(len(categories), 1)
        report[tool] = {"youden_mean": round(mean, 3), "per_category": categories}
    return report


def _speed_fixture() -> str:
    """Whole corpus files (web endpoints, dense with calls), in name order, up to 300 lines."""
    parts: list[str] = []
    lines = 0
    for path in sorted(CORPUS.glob("*.py")):
        text = path.read_text() + "\n\n"
        if lines + text.count("\n") > SPEED_FIXTURE_LINES:
            break
        parts.append(text)
        lines += text.count("\n")
    return "".join(parts)


def speed() -> dict[str, object]:
    source = _speed_fixture()
    bandit_cli = [str(Path(sys.executable).parent / "bandit"), "-q", "--format", "json"]
    with tempfile.TemporaryDirectory() as directory:
        target = Path(directory) / "app.py"
        target.write_text(source)

        def subject() -> object:
            return scan(source, ("graderlib", "bandit"), path=str(target))

        def bandit_run() -> object:
            return subprocess.run([*bandit_cli, str(target)], capture_output=True, check=False)

        def ruff_run() -> object:
            command = [*ruff_command(str(target))[:-3], str(target)]
            return subprocess.run(command, capture_output=True, check=False)

        def full_scan() -> object:
            return scan(source, path=str(target))

        ours, bandit_time = interleaved_medians(subject, bandit_run, rounds=12)
        ours_again, ruff_time = interleaved_medians(subject, ruff_run, rounds=12)
        full, bandit_again = interleaved_medians(full_scan, bandit_run, rounds=8)
    return {
        "fixture_lines": source.count("\n"),
        "graderlib_plus_bandit_inprocess_s": round(ours, 4),
        "bandit_cli_s": round(bandit_time, 4),
        "ratio_to_bandit_cli": round(ours / bandit_time, 3),
        "target_ratio_to_bandit_cli": round(1 / 3, 3),
        "ruff_cli_s": round(ruff_time, 4),
        "ratio_to_ruff_cli": round(ours_again / ruff_time, 3),
        "full_scan_with_ruff_s": round(full, 4),
        "full_scan_ratio_to_bandit_cli": round(full / bandit_again, 3),
    }


def run() -> dict[str, object]:
    return {"quality": quality(), "codeql": codeql_corpus.quality(), "speed": speed()}


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
