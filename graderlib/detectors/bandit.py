"""Bandit, in-process through its manager API, its results mapped to taxonomy categories.

Bandit's CLI spends most of its ~170 ms importing itself and discovering plugins; the manager
API reuses the imported plugins and scans a string fed as an in-memory file (the same path
bandit's own ``-`` stdin mode takes), so nothing is written to the user's tree. ``# nosec``
comments are ignored: in a grader, the code under review must not be able to silence it.
"""

from __future__ import annotations

import io
import logging
import sys
from functools import cache

from graderlib.detectors.external import ToolError, ToolFinding
from graderlib.pyparse import AST_LOCK
from graderlib.taxonomy import Severity, default_taxonomy

_SEVERITY = {"HIGH": Severity.HIGH, "MEDIUM": Severity.MEDIUM, "LOW": Severity.LOW}


@cache
def _config() -> object:
    logging.getLogger("bandit").setLevel(logging.CRITICAL)
    from bandit.core import config

    return config.BanditConfig()


@cache
def bandit_test_ids() -> dict[str, tuple[str, int | None]]:
    """Every test id bandit ships (plugins and B3xx/B4xx blacklists) -> (name, CWE)."""
    from bandit.core import extension_loader

    manager = extension_loader.MANAGER
    ids: dict[str, tuple[str, int | None]] = {}
    for plugin in manager.plugins:
        ids[plugin.plugin._test_id] = (plugin.name, None)
    for entries in manager.blacklist.values():
        for entry in entries:
            cwe = entry.get("cwe")
            ids[entry["id"]] = (entry["name"], getattr(cwe, "id", None))
    return ids


def category_for(test_id: str, cwe: int | None = None) -> str | None:
    """The taxonomy category of a bandit test id, falling back to the CWE bandit reports."""
    taxonomy = default_taxonomy()
    resolved = taxonomy.try_resolve(test_id)
    if resolved is None and cwe:
        resolved = taxonomy.try_resolve(f"CWE-{cwe}")
    return resolved


def newer_syntax_error() -> ToolError:
    """What bandit says about a file only a newer Python's ``ast`` can read.

    Bandit walks the running interpreter's ``ast``, so on 3.11 it cannot read PEP 701
    f-strings or PEP 695 ``type`` statements, which libcst and ruff parse fine. Scan says so
    instead of asking bandit and passing on its swallowed "syntax error" as no findings.
    """
    running = f"{sys.version_info.major}.{sys.version_info.minor}"
    newer = f"{sys.version_info.major}.{sys.version_info.minor + 1}"
    return ToolError(f"bandit cannot parse Python {newer} syntax under Python {running}")


def run_bandit(source: str, path: str = "snippet.py") -> list[ToolFinding]:
    """Bandit's findings on ``source``; raises ToolError if bandit itself fails."""
    fname = path if path.endswith(".py") else "snippet.py"
    data = source.encode("utf-8", "surrogateescape")
    try:
        from bandit.core import manager

        bandit = manager.BanditManager(_config(), "file", quiet=True, ignore_nosec=True)
        with AST_LOCK:  # bandit parses with ast, which is not thread-safe (see pyparse)
            bandit._parse_file(fname, io.BytesIO(data), [fname])
    except Exception as error:
        raise ToolError(f"bandit failed: {error}") from error
    if bandit.skipped:  # bandit logs and swallows its own errors; "no findings" would be a lie
        raise ToolError(f"bandit could not scan the file: {bandit.skipped[0][1]}")
    findings: list[ToolFinding] = []
    for issue in bandit.get_issue_list():
        cwe_id = getattr(issue.cwe, "id", None)
        cwe = cwe_id if isinstance(cwe_id, int) and cwe_id > 0 else None
        category = category_for(issue.test_id, cwe)
        if category is None:
            continue
        findings.append(
            ToolFinding(
                tool="bandit",
                rule_id=issue.test_id,
                category=category,
                cwe=cwe,
                severity=_SEVERITY.get(str(issue.severity).upper(), Severity.MEDIUM),
                line=max(int(issue.lineno), 1),
                message=str(issue.text),
            )
        )
    return findings
