"""Snapshot every report and patch verdict the corpus produces, to prove a refactor changed none.

A move of code (score arithmetic, the patch pipeline, the CLI) must leave every result
byte-identical. This script writes one canonical JSON file (sorted keys; floats as Python's
shortest repr, so even a last-bit change shows) with, for every task under ``tasks/``:

* the grade report of each offline agent (oracle, static, shotgun, keyword, random), full and
  redacted, under the default policy, inside an episode, and under a second policy that turns
  on the recommendation share and moves the "near" reach;
* the patch verdict of the reference fix (no tests) and of an unchanged file (nothing fixed),
  full and redacted; with ``--tests N`` also the reference fix of the first N tasks that have
  tests, run in the sandbox.

Usage: snapshot the code before the change from an exported copy of it (run from that copy,
so its ``graderlib`` is the one imported), then the code after, and diff::

    REPO=$PWD; mkdir /tmp/before && git archive main | tar -x -C /tmp/before
    cp benchmarks/check_identical.py /tmp/before/benchmarks/   # if main predates this script
    (cd /tmp/before && PYTHONPATH=. $REPO/.venv/bin/python -m benchmarks.check_identical \
        /tmp/before.json --tests 3)
    .venv/bin/python -m benchmarks.check_identical /tmp/after.json --tests 3
    diff /tmp/before.json /tmp/after.json && echo identical

Pass ``--only grade`` or ``--only verify`` to snapshot one half; each takes a minute or two
(the static agent and patch verification run the detectors on every task). The agents are the
checked-out code's: a deliberate change to an agent shows up as a diff in its records only.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import graderlib
from graderlib.agents import AGENTS
from graderlib.task import Task

ROOT = Path(__file__).resolve().parents[1]
NEEDS_A_SERVICE = {"llm"}  # the LLM agent needs a model server: not an offline snapshot
POLICIES = {
    "default": graderlib.RewardPolicy(),
    "keywords-near3": graderlib.RewardPolicy(recommendation_weight=0.5, near_lines=3),
}
EPISODE = graderlib.EpisodeProgress(hints_used=1, patch_resolved=True, finalized=True)


def grade_records(tasks: list[Task]) -> Iterator[tuple[str, Any]]:
    """``(key, report)`` for every task, agent and policy."""
    for task in tasks:
        for agent_name, agent in AGENTS.items():
            if agent_name in NEEDS_A_SERVICE:
                continue
            findings = agent(task)
            for policy_name, policy in POLICIES.items():
                report = graderlib.grade(task, findings, policy)
                key = f"grade/{task.id}/{agent_name}/{policy_name}"
                yield key, report.model_dump(mode="json")
                yield f"{key}/redacted", report.redacted().model_dump(mode="json")
            episode = graderlib.grade(task, findings, episode=EPISODE)
            yield f"grade/{task.id}/{agent_name}/episode", episode.model_dump(mode="json")


def verify_records(tasks: list[Task], with_tests: int) -> Iterator[tuple[str, Any]]:
    """``(key, verdict)`` for the reference fix and an unchanged file of every task."""
    tested = 0
    for task in tasks:
        patches = {"unchanged": (task.source, "source")}
        if task.fix_path is not None:
            kind = "source" if task.fix_path.suffix == ".py" else "diff"
            patches["reference"] = (task.fix_path.read_text(encoding="utf-8"), kind)
        for name, (text, kind) in patches.items():
            verdict = graderlib.verify_patch(task, text, kind=kind, run_tests=False)
            yield f"verify/{task.id}/{name}", verdict.model_dump(mode="json")
            yield f"verify/{task.id}/{name}/redacted", verdict.redacted().model_dump(mode="json")
        if task.tests_path is not None and "reference" in patches and tested < with_tests:
            tested += 1
            text, kind = patches["reference"]
            verdict = graderlib.verify_patch(task, text, kind=kind, run_tests=True)
            yield (
                f"verify/{task.id}/reference+tests",
                _without_timing(verdict.model_dump(mode="json")),
            )


def _without_timing(record: dict[str, Any]) -> dict[str, Any]:
    """Test-error texts may carry durations or temp paths; keep only which tests erred."""
    record["test_errors"] = sorted(record.get("test_errors", {}))
    return record


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path, help="the JSON file to write")
    parser.add_argument("--tasks", type=Path, default=ROOT / "tasks")
    parser.add_argument("--only", choices=("grade", "verify"))
    parser.add_argument("--tests", type=int, default=0, help="tasks to verify with their tests")
    args = parser.parse_args(argv)
    tasks = graderlib.load_tasks(args.tasks)
    records: dict[str, Any] = {}
    if args.only in (None, "grade"):
        records.update(grade_records(tasks))
    if args.only in (None, "verify"):
        records.update(verify_records(tasks, args.tests))
    args.out.write_text(json.dumps(records, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {len(records)} records for {len(tasks)} tasks to {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
