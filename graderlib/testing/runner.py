"""Run every law against one grader and print the table: the conformance report.

``graderlib-conformance module:attr`` (or ``pytest --grader=module:attr``) points at a grader:
a :class:`~graderlib.testing.adapters.GraderAdapter`, a class of one, or a plain
``grade(task, findings) -> float`` callable (see :func:`~graderlib.testing.adapters.as_adapter`).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from graderlib.testing.adapters import GraderAdapter, as_adapter
from graderlib.testing.laws import LAW_NAMES, LAWS, Law, LawViolation, NoExamples

Outcome = Literal["passed", "failed", "skipped"]


@dataclass(frozen=True)
class LawResult:
    """How one law fared: ``detail`` is the counterexample, or why the law was skipped."""

    law: str
    outcome: Outcome
    detail: str = ""


def check_law(
    grader: GraderAdapter,
    law: Law,
    *,
    examples: int = 200,
    tasks: Any = None,
    shrink: bool = False,
) -> LawResult:
    """Check one law; a violation becomes a ``failed`` result carrying its counterexample.

    ``tasks`` replaces the generated tasks (a hypothesis strategy of :class:`Task`, such as
    ``st.sampled_from(my_corpus)``); ``shrink`` asks hypothesis for the smallest
    counterexample, which costs minutes on a grader that fails.
    """
    missing = law.needs - grader.capabilities
    if missing:
        return LawResult(law.name, "skipped", f"the grader does not offer {sorted(missing)}")
    try:
        law.check(grader, examples=examples, tasks=tasks, shrink=shrink)
    except LawViolation as violation:
        return LawResult(law.name, "failed", violation.counterexample)
    except NoExamples as nothing:
        return LawResult(law.name, "skipped", str(nothing))
    return LawResult(law.name, "passed")


def run_laws(
    grader: object,
    *,
    examples: int = 200,
    skip: Iterable[str] = (),
    tasks: Any = None,
    shrink: bool = False,
) -> list[LawResult]:
    """Every law against ``grader`` (anything :func:`as_adapter` accepts), in a fixed order."""
    adapter = as_adapter(grader)
    skipped = set(skip)
    unknown = skipped - set(LAW_NAMES)
    if unknown:
        raise ValueError(f"unknown law(s) {sorted(unknown)}; the laws are {list(LAW_NAMES)}")
    return [
        LawResult(law.name, "skipped", "skipped by name")
        if law.name in skipped
        else check_law(adapter, law, examples=examples, tasks=tasks, shrink=shrink)
        for law in LAWS
    ]


def format_table(name: str, results: Sequence[LawResult], width: int = 100) -> str:
    """A Markdown table of the results, with the first counterexample of each failed law."""
    lines = [
        f"Conformance of {name}:",
        "",
        "| law | result | first counterexample |",
        "|---|---|---|",
    ]
    for result in results:
        detail = result.detail.replace("|", "\\|")
        if len(detail) > width:
            detail = detail[: width - 3] + "..."
        lines.append(f"| {result.law} | {result.outcome} | {detail} |")
    counts = {o: sum(r.outcome == o for r in results) for o in ("passed", "failed", "skipped")}
    lines += ["", ", ".join(f"{n} {o}" for o, n in counts.items())]
    return "\n".join(lines)


def load_grader(spec: str) -> GraderAdapter:
    """``module:attr`` (``module.sub:attr.inner`` works too) -> an adapter.

    The working directory is importable, as with ``uvicorn module:app``, so a grader in the
    project being checked is found without installing it.
    """
    module_name, _, attribute = spec.partition(":")
    if not module_name or not attribute:
        raise ValueError(f"expected module:callable, got {spec!r}")
    if os.getcwd() not in sys.path:
        sys.path.insert(0, os.getcwd())
    obj: Any = importlib.import_module(module_name)
    for part in attribute.split("."):
        obj = getattr(obj, part)
    return as_adapter(obj)


def main(argv: Sequence[str] | None = None) -> int:
    """``graderlib-conformance``: exit 0 when no law failed, 1 when one did, 2 on bad input."""
    parser = argparse.ArgumentParser(
        prog="graderlib-conformance", description="Check a grader against graderlib's laws."
    )
    parser.add_argument("grader", help="module:callable, a GraderAdapter or grade(task, findings)")
    parser.add_argument("--examples", type=int, default=200, help="examples per law (200)")
    parser.add_argument("--skip", default="", help="comma-separated law names to skip")
    parser.add_argument(
        "--shrink", action="store_true", help="find the smallest counterexamples (slower)"
    )
    args = parser.parse_args(argv)
    try:
        grader = load_grader(args.grader)
        skip = [s for s in args.skip.split(",") if s]
        results = run_laws(grader, examples=args.examples, skip=skip, shrink=args.shrink)
    except (ImportError, AttributeError, TypeError, ValueError) as error:
        print(f"graderlib-conformance: error: {error}", file=sys.stderr)
        return 2
    print(format_table(grader.name, results))
    return 1 if any(r.outcome == "failed" for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
