"""The README's tour must run as written, and its policy table must match the code."""

from __future__ import annotations

import re
from pathlib import Path

from graderlib import RewardPolicy

README = (Path(__file__).resolve().parents[1] / "README.md").read_text()


def test_the_python_tour_runs_and_scores(capsys) -> None:
    block = re.search(r"```python\n(.*?)```", README, re.S)
    assert block is not None
    namespace: dict[str, object] = {}
    exec(compile(block.group(1), "README.md", "exec"), namespace)
    report = namespace["report"]
    assert report.score > 0  # type: ignore[attr-defined]
    assert report.verdicts[0].status == "matched"  # type: ignore[attr-defined]


def test_reward_policy_defaults_are_documented() -> None:
    policy = RewardPolicy()
    for name, value in policy.model_dump().items():
        if name == "severity_weights":
            continue
        row = re.search(rf"^\| `{name}`[^|]*\| ([^|]+)\|", README, re.M)
        assert row is not None, f"{name} is not in the README's policy table"
        assert str(value).rstrip("0").rstrip(".") in row.group(1), (name, value, row.group(1))
