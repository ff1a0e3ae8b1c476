"""Ruff, run as the binary shipped in its wheel, on stdin, with JSON output.

Only the rule families that the taxonomy maps are selected (flake8-bandit ``S``, bugbear
``B``, ``E722``, ``SIM115``, pylint ``PLW``/``PLE``/``PLR0133``, ``F632``, ``BLE``); a code that
still has no category is dropped rather than guessed. ``--isolated`` keeps the user's ruff
configuration from switching rules off.
"""

from __future__ import annotations

import json
import subprocess
from functools import cache

from graderlib.detectors.external import ToolError, ToolFinding
from graderlib.taxonomy import default_taxonomy

SELECTED = ("S", "B", "E722", "SIM115", "PLW", "PLE", "PLR0133", "F632", "BLE")
_TIMEOUT_SECONDS = 30


@cache
def ruff_binary() -> str:
    from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]

    return str(find_ruff_bin())


def ruff_command(path: str) -> list[str]:
    name = path if path.endswith((".py", ".pyi")) else "snippet.py"
    return [
        ruff_binary(),
        "check",
        "--isolated",
        "--no-cache",
        "--output-format",
        "json",
        "--select",
        ",".join(SELECTED),
        "--stdin-filename",
        name,
        "-",
    ]


def run_ruff(source: str, path: str = "snippet.py") -> list[ToolFinding]:
    """Ruff's mapped findings on ``source``; raises ToolError if ruff cannot run."""
    try:
        completed = subprocess.run(
            ruff_command(path),
            input=source.encode("utf-8", "replace"),
            capture_output=True,
            timeout=_TIMEOUT_SECONDS,
            check=False,
        )
    except (OSError, ImportError, subprocess.SubprocessError) as error:
        raise ToolError(f"ruff could not run: {error}") from error
    if completed.returncode not in (0, 1):
        detail = completed.stderr.decode("utf-8", "replace").strip().splitlines()
        raise ToolError(f"ruff failed: {detail[0] if detail else completed.returncode}")
    try:
        records = json.loads(completed.stdout or b"[]")
    except json.JSONDecodeError as error:
        raise ToolError(f"ruff printed unreadable JSON: {error}") from error
    taxonomy = default_taxonomy()
    findings: list[ToolFinding] = []
    for record in records:
        code = record.get("code")
        category = taxonomy.try_resolve(code) if isinstance(code, str) else None
        if category is None:
            continue
        category_info = taxonomy.get(category)
        findings.append(
            ToolFinding(
                tool="ruff",
                rule_id=code,
                category=category,
                cwe=category_info.primary_cwe if category_info else None,
                severity=taxonomy.default_severity(category),
                line=max(int(record.get("location", {}).get("row", 1)), 1),
                message=str(record.get("message", "")),
            )
        )
    return findings
