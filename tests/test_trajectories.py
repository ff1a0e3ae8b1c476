"""``graderlib trajectories summarize|export`` on a hand-made trajectory with known numbers.

The lines are written by the real :class:`TrajectoryWriter` from observations built here, so
every figure below was worked out by hand from the steps; the export is loaded back with
Hugging Face ``datasets``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import datasets
import pytest

from graderlib.cli import main
from graderlib.evaluate.sessions import StepOutcome
from graderlib.evaluate.trajectories import TrajectoryWriter

TASK_A, TASK_B = "task-aaaaaaaaaaaa", "task-bbbbbbbbbbbb"
FINDING = {"line": 3, "category": "sql-injection", "message": "the id is formatted into SQL"}


def observation(task: str, score: float, **fields: Any) -> dict[str, Any]:
    return {
        "task_id": task,
        "score": score,
        "issues_found": fields.pop("found", 0),
        "issues_total": 2,
        "remaining_steps": fields.pop("remaining", 10),
        "hints": fields.pop("hints", []),
        "patch_resolved": fields.pop("resolved", False),
        "feedback": fields.pop("feedback", "ok"),
        "snippet": "1 | import sqlite3\n2 | \n3 | q = f'{x}'",
        "description": "Review it.",
        "difficulty": "easy",
        "line_count": 3,
        **fields,
    }


def final_report(**statuses: int) -> dict[str, Any]:
    verdicts = [{"status": s} for s, n in statuses.items() for _ in range(n)]
    return {"verdicts": verdicts, "redacted_view": True}


def turn(completion: str, errors: list[str]) -> dict[str, Any]:
    return {
        "purpose": "review",
        "messages": [
            {"role": "system", "content": "You review code."},
            {"role": "user", "content": "Review snippet.py"},
        ],
        "completion": completion,
        "attempts": 1 + len(errors),
        "errors": errors,
        "response_format": "json_schema",
        "ok": True,
    }


def write_episode(
    writer: TrajectoryWriter,
    run: str,
    episode: int,
    task: str,
    steps: list[tuple[dict[str, Any], dict[str, Any] | None, float | None, bool, list[Any]]],
) -> None:
    """``steps``: (action, observation or None when refused, reward, done, turns)."""
    meta = {"run": run, "episode": episode, "episode_id": f"{run}-{episode}"}
    writer.write_reset(meta, observation(task, 0.0), 0.01)
    number = 0
    for action, seen, reward, done, turns in steps:
        outcome = None if seen is None else StepOutcome(seen, reward, done)
        number += outcome is not None
        writer.write_step(
            meta,
            step=number if outcome is not None else number + 1,  # as infer numbers a refusal
            action=action,
            outcome=outcome,
            rejection=None if seen is not None else "invalid action: findings.0.line: too big",
            turns=turns,
            new_hint="Look at the query." if action["kind"] == "hint" else None,
            agent_seconds=0.1,
            env_seconds=0.01,
        )


@pytest.fixture
def trajectory(tmp_path: Path) -> Path:
    path = tmp_path / "run.jsonl"
    writer = TrajectoryWriter(path, {"agent": "llm", "model": "m"})
    report = {"kind": "report", "findings": [FINDING]}
    answer = json.dumps({"findings": [FINDING]})
    write_episode(writer, "r1", 0, TASK_A, [
        (report, observation(TASK_A, 0.4, found=1), 0.4, False,
         [turn(answer, ["the answer contains no JSON object"])]),
        ({"kind": "hint"}, observation(TASK_A, 0.35, found=1, hints=["Look"]), -0.05, False, []),
        (report, observation(TASK_A, 0.75, found=2), 0.4, False, [turn(answer, [])]),
        ({"kind": "finalize"}, observation(TASK_A, 0.8, found=2,
         report=final_report(matched=2, false_positive=1)), 0.05, True, []),
    ])  # fmt: skip
    write_episode(writer, "r1", 1, TASK_A, [
        (report, observation(TASK_A, 0.6, found=1), 0.6, False, []),
        ({"kind": "patch", "patch": "--- a/snippet.py"},
         observation(TASK_A, 0.75, found=1, resolved=True), 0.15, False, []),
        ({"kind": "finalize"}, observation(TASK_A, 0.8, found=1, resolved=True,
         report=final_report(matched=1, ok_violation=1, duplicate=1)), 0.05, True, []),
    ])  # fmt: skip
    write_episode(
        writer,
        "r1",
        2,
        TASK_B,
        [
            (report, None, None, False, []),  # refused by the environment
            (report, observation(TASK_B, 0.2, found=1), 0.2, False, []),  # never finished
        ],
    )
    writer.close()
    return path


def test_summarize_per_task_and_overall(
    trajectory: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["trajectories", "summarize", str(trajectory), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    task_a, task_b = summary["tasks"]
    assert task_a == {
        "task_id": TASK_A,
        "episodes": 2,
        "finished": 2,
        "first_score": 0.5,  # 0.4 and 0.6 after the first report
        "final_score": 0.8,
        "improvement": 0.3,  # +0.4 and +0.2
        "improved_episodes": 2,
        "false_positives_per_episode": 1.0,  # 1 false positive; 1 ok violation, not the duplicate
        "hints_per_episode": 0.5,
        "episodes_with_hints": 1,
        "patch_attempts": 1,
        "patches_resolved": 1,
        "malformed_answers": 1,
    }
    assert task_b == {
        "task_id": TASK_B,
        "episodes": 1,
        "finished": 0,
        "first_score": 0.2,  # the refused report does not count as an attempt
        "final_score": 0.2,
        "improvement": 0.0,
        "improved_episodes": 0,
        "false_positives_per_episode": None,  # unfinished: no final report
        "hints_per_episode": 0.0,
        "episodes_with_hints": 0,
        "patch_attempts": 0,
        "patches_resolved": 0,
        "malformed_answers": 0,
    }
    assert summary["overall"] == {
        "task_id": None,
        "episodes": 3,
        "finished": 2,
        "first_score": 0.4,
        "final_score": 0.6,
        "improvement": 0.2,
        "improved_episodes": 2,
        "false_positives_per_episode": 1.0,
        "hints_per_episode": 0.333333,
        "episodes_with_hints": 1,
        "patch_attempts": 1,
        "patches_resolved": 1,
        "malformed_answers": 1,
    }
    assert main(["trajectories", "summarize", str(trajectory)]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[2].split() == [TASK_A, "2", "2", "0.500", "0.800", "+0.300", "1.00", "0.50",
                                "1/1", "1"]  # fmt: skip
    assert table[-1].split()[:3] == ["overall", "3", "2"]


@pytest.mark.parametrize("fmt", ["parquet", "jsonl"])
def test_export_loads_with_hugging_face_datasets(
    trajectory: Path, tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "dataset"
    assert main(["trajectories", "export", str(trajectory), "--out", str(out),
                 "--format", fmt]) == 0  # fmt: skip
    assert f"trajectories.{fmt}" in capsys.readouterr().out
    loaded = datasets.load_dataset(str(out), split="train")
    assert loaded.num_rows == 5
    rows = loaded.to_list()
    # Episode 0: two model turns; the reward is the reward of the step each answer became.
    assert [r["reward"] for r in rows] == [0.4, 0.4, 0.6, 0.0, 0.2]
    assert [r["episode_score"] for r in rows] == [0.8, 0.8, 0.8, None, None]
    assert [r["rejected"] for r in rows] == [False, False, False, True, False]
    assert [r["task_id"] for r in rows] == [TASK_A, TASK_A, TASK_A, TASK_B, TASK_B]
    first = rows[0]
    assert first["prompt"] == [
        {"role": "system", "content": "You review code."},
        {"role": "user", "content": "Review snippet.py"},
    ]
    assert first["completion"] == [
        {"role": "assistant", "content": json.dumps({"findings": [FINDING]})}
    ]
    # An agent without a model: the prompt the default llm agent would have seen.
    offline = rows[2]
    assert offline["prompt"][1]["content"].startswith("Review the Python file below. Review it.")
    assert "3 | q = f'{x}'" in offline["prompt"][1]["content"]
    assert json.loads(offline["completion"][0]["content"]) == {"findings": [FINDING]}


def test_unreadable_trajectories_are_exit_code_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text("\n[1, 2]\n")
    assert main(["trajectories", "summarize", str(bad)]) == 2
    assert f"{bad}:2: not a graderlib trajectory line" in capsys.readouterr().err
    bad.write_text('{"schema": "graderlib.trajectory/1", "run": "r", "step": 0}\n')
    assert main(["trajectories", "summarize", str(bad)]) == 2
    assert f"{bad}:1: a trajectory line with no episode_id, kind" in capsys.readouterr().err
    assert main(["trajectories", "export", str(tmp_path / "missing.jsonl"), "--out", "x"]) == 2
    assert "missing.jsonl: cannot read" in capsys.readouterr().err
