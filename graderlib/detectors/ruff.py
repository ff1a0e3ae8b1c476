"""Ruff, run as the binary shipped in its wheel, on stdin, with JSON output.

Only the rule families that the taxonomy maps are selected (flake8-bandit ``S``, bugbear
``B``, ``E722``, ``SIM115``, pylint ``PLW``/``PLE``/``PLR0133``, ``F632``, ``BLE``); a code that
still has no category is dropped rather than guessed. ``--isolated`` keeps the user's ruff
configuration from switching rules off.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
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


class RuffRun:
    """Ruff started on one source in the background; :meth:`result` waits for its answer.

    Ruff is a separate process, so it runs on another core while this one does the in-process
    analysis (libcst detectors, bandit), and a scan costs about its slowest part, not the sum.
    The source reaches ruff through an anonymous temporary file, not a pipe: nothing has to
    be written (or read) while the caller is busy elsewhere.
    """

    def __init__(self, source: str, path: str = "snippet.py") -> None:
        self._error: ToolError | None = None
        self._process: subprocess.Popen[bytes] | None = None
        try:
            with tempfile.TemporaryFile() as stdin:
                stdin.write(source.encode("utf-8", "replace"))
                stdin.seek(0)
                self._process = subprocess.Popen(
                    ruff_command(path),
                    stdin=stdin,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                )
        except (OSError, ImportError, subprocess.SubprocessError) as error:
            self._error = ToolError(f"ruff could not run: {error}")

    def result(self) -> list[ToolFinding]:
        """Ruff's mapped findings; raises ToolError if ruff could not run or failed."""
        if self._process is None:
            assert self._error is not None
            raise self._error
        try:
            stdout, stderr = self._process.communicate(timeout=_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired as error:
            self.cancel()
            raise ToolError(f"ruff took longer than {_TIMEOUT_SECONDS} s") from error
        if self._process.returncode not in (0, 1):
            detail = stderr.decode("utf-8", "replace").strip().splitlines()
            raise ToolError(f"ruff failed: {detail[0] if detail else self._process.returncode}")
        return _mapped(stdout)

    def cancel(self) -> None:
        """Stop ruff if it still runs, and reap it; for a scan that ends early."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.communicate()


def run_ruff(source: str, path: str = "snippet.py") -> list[ToolFinding]:
    """Ruff's mapped findings on ``source``; raises ToolError if ruff cannot run."""
    return RuffRun(source, path).result()


def _mapped(stdout: bytes) -> list[ToolFinding]:
    try:
        records = json.loads(stdout or b"[]")
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
