"""Run every ``benchmarks/bench_*.py`` and write ``benchmarks/results.json``.

Each module exposes ``run() -> dict``: the raw medians it measured, its anchor, the ratio and
the target. Machines here are noisy, so a figure is only ever reported as a ratio against an
anchor timed in the same process, interleaved with the thing measured.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
import sys
from pathlib import Path

HERE = Path(__file__).parent


def main(argv: list[str]) -> int:
    wanted = set(argv)
    results: dict[str, object] = {}
    for info in sorted(pkgutil.iter_modules([str(HERE)]), key=lambda i: i.name):
        if not info.name.startswith("bench_"):
            continue
        if wanted and info.name not in wanted and info.name.removeprefix("bench_") not in wanted:
            continue
        module = importlib.import_module(f"benchmarks.{info.name}")
        print(f"== {info.name}", flush=True)
        results[info.name] = module.run()
        print(json.dumps(results[info.name], indent=2), flush=True)
    out = HERE / "results.json"
    previous = json.loads(out.read_text()) if out.exists() else {}
    previous.update(results)
    out.write_text(json.dumps(previous, indent=2, sort_keys=True) + "\n")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
