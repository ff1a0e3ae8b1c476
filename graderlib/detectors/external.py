"""What the bandit and ruff adapters hand to :func:`graderlib.detectors.scan`."""

from __future__ import annotations

from dataclasses import dataclass

from graderlib.taxonomy import Severity


@dataclass(frozen=True, slots=True)
class ToolFinding:
    """A finding of an external tool, already in taxonomy terms, located by line only."""

    tool: str
    rule_id: str
    category: str
    cwe: int | None
    severity: Severity
    line: int
    message: str


class ToolError(Exception):
    """An external tool could not run; scan reports it instead of raising."""
