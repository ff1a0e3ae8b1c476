"""``graderlib scan PATH... [--json | --sarif] [--tools graderlib,bandit,ruff]``.

Exit codes: 0 nothing found, 1 findings, 2 bad input (a missing path, no Python file, an
unknown tool, or a file that cannot be parsed and has no findings to report).
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from graderlib.cli.base import BadInput, ExitCode, Subparsers
from graderlib.detectors.scan import TOOLS, ScanResult, scan

MAX_FILE_BYTES = 2_000_000
_SKIPPED_DIRS = frozenset({"__pycache__", "node_modules", "venv", "site-packages"})


def register(commands: Subparsers) -> None:
    parser = commands.add_parser(
        "scan",
        help="run graderlib's detectors, bandit and ruff on files or directories",
        description="Scan Python files; findings are in taxonomy categories, merged across tools.",
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help="a .py file or a directory")
    output = parser.add_mutually_exclusive_group()
    output.add_argument("--json", action="store_true", help="print scan results as JSON")
    output.add_argument("--sarif", action="store_true", help="print a SARIF 2.1.0 log")
    parser.add_argument(
        "--tools",
        default=",".join(TOOLS),
        help=f"comma-separated tools to run (default: {','.join(TOOLS)})",
    )
    parser.add_argument(
        "--all",
        action="store_true",
        help="also show bandit/ruff findings that graderlib's dataflow overruled, with why "
        "(in SARIF: as results with an accepted suppression)",
    )
    parser.set_defaults(handler=cmd_scan)


def python_files(path: Path) -> Iterator[Path]:
    """``path`` itself, or every ``.py`` file under it (hidden and virtualenv dirs skipped)."""
    if path.is_file():
        yield path
        return
    for candidate in sorted(path.rglob("*.py")):
        parts = candidate.relative_to(path).parts[:-1]
        if any(p.startswith(".") or p in _SKIPPED_DIRS for p in parts):
            continue
        if candidate.is_file():
            yield candidate


def scan_file(path: Path, tools: tuple[str, ...]) -> ScanResult:
    name = str(path)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return ScanResult(
                path=name, syntax_error=f"{name}: {size} bytes is over the {MAX_FILE_BYTES} limit"
            )
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as error:
        return ScanResult(path=name, syntax_error=f"{name}: not UTF-8 text ({error.reason})")
    except OSError as error:
        return ScanResult(path=name, syntax_error=f"{name}: cannot read: {error.strerror}")
    return scan(text, tools, path=name)


def _parse_tools(text: str) -> tuple[str, ...]:
    tools = tuple(t.strip() for t in text.split(",") if t.strip())
    unknown = [t for t in tools if t not in TOOLS]
    if unknown or not tools:
        raise BadInput(
            f"--tools: unknown tool(s) {', '.join(unknown) or '(none)'}; "
            f"choose from {', '.join(TOOLS)}"
        )
    return tools


def cmd_scan(args: argparse.Namespace) -> ExitCode:
    tools = _parse_tools(args.tools)
    files: list[Path] = []
    for given in args.paths:
        path = Path(given)
        if not path.exists():
            raise BadInput(f"{given}: no such file or directory")
        found = list(python_files(path))
        if not found and path.is_dir():
            raise BadInput(f"{given}: no .py files under this directory")
        files.extend(found)
    results = [scan_file(path, tools) for path in files]
    if args.sarif:
        from graderlib.sarif import to_sarif

        print(json.dumps(to_sarif(results, include_suppressed=args.all), indent=2))
    elif args.json:
        print(json.dumps(_as_json(results), indent=2))
    else:
        _print_text(results, show_suppressed=args.all)
    if any(r.findings for r in results):
        return ExitCode.FAILED
    unreadable = [r.syntax_error for r in results if r.syntax_error]
    if unreadable:  # after the results: the other files' (clean) results are still printed
        raise BadInput(f"{len(unreadable)} file(s) could not be scanned: {unreadable[0]}")
    return ExitCode.OK


def _as_json(results: list[ScanResult]) -> dict[str, Any]:
    return {
        "files": [r.model_dump(mode="json") for r in results],
        "summary": {
            "files": len(results),
            "findings": sum(len(r.findings) for r in results),
            "unparsable": sum(1 for r in results if r.syntax_error),
        },
    }


def _print_text(results: list[ScanResult], *, show_suppressed: bool = False) -> None:
    total = 0
    suppressed = 0
    for result in results:
        if result.syntax_error:
            print(f"error: {result.syntax_error}")
        for problem in result.tool_errors:
            print(f"warning: {result.path}: {problem}")
        for finding in result.findings:
            total += 1
            print(
                f"{result.path}:{finding.span}: {finding.severity.value} {finding.category} "
                f"[{', '.join(finding.rule_ids)}] {finding.message}"
            )
        suppressed += len(result.suppressed)
        for item in result.suppressed if show_suppressed else ():
            overruled = item.finding
            print(
                f"{result.path}:{overruled.span}: suppressed {overruled.category} "
                f"[{', '.join(overruled.rule_ids)}] {item.reason}"
            )
    hidden = f"; {suppressed} suppressed by consensus (--all shows them)" if suppressed else ""
    if show_suppressed and suppressed:
        hidden = f"; {suppressed} suppressed by consensus, shown above"
    print(f"{total} finding(s) in {len(results)} file(s){hidden}")
