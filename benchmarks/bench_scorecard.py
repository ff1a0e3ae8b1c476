"""A scorecard over the curated corpus vs grading the same findings: what the counting costs.

A scorecard reads a tool's output, maps every result to its task and counts TP/FN/FP/TN; in
strict mode it grades twice (the reward policy's score, then exact matching). The anchor is
the least any scorecard must do: one ``grade()`` per task of the same findings. Both run in
this process, interleaved, over the same JSONL output (the oracle's findings plus five random
guesses per task), so machine noise hits both alike.

No target: the figure says what reading, mapping and counting add to grading, so that a
change that makes scorecards slow shows here.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from benchmarks.timing import interleaved_medians
from graderlib import grade
from graderlib.agents import oracle_agent, random_agent
from graderlib.evaluate import Corpus, map_results, read_tool_output, score_output
from graderlib.task import default_tasks_dir, find_task_dirs, load_task


def run() -> dict[str, object]:
    root = default_tasks_dir()
    tasks = [load_task(d) for d in find_task_dirs([root])]
    findings = {t.id: [*oracle_agent(t), *random_agent(t)] for t in tasks}
    with tempfile.TemporaryDirectory() as scratch:
        output = Path(scratch) / "tool.jsonl"
        output.write_text(
            "\n".join(
                json.dumps(
                    {"task": task_id, "findings": [f.model_dump(exclude_none=True) for f in found]}
                )
                for task_id, found in findings.items()
            )
        )
        corpus = Corpus(tasks, [root])

        def grade_every_task() -> None:
            for task in tasks:
                grade(task, findings[task.id])

        results: dict[str, object] = {"tasks": len(tasks)}
        for mode in ("default", "strict"):

            def card(mode: str = mode) -> None:
                mapped = map_results(read_tool_output(output), corpus)
                score_output("tool", mapped, tasks, mode=mode)  # type: ignore[arg-type]

            subject, anchor = interleaved_medians(card, grade_every_task, rounds=10)
            results[mode] = {
                "scorecard_ms": round(subject * 1000, 2),
                "grade_every_task_ms": round(anchor * 1000, 2),
                "ratio": round(subject / anchor, 3),
                "target": "report",
            }
    return results


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
