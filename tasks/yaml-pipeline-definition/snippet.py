from pathlib import Path
from typing import Any

import yaml

REQUIRED_KEYS = {"name", "steps"}


class PipelineError(Exception):
    pass


def load_pipeline(path: Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        # expect: unsafe-deserialization severity=critical id=yaml-full-loader
        data = yaml.load(handle, Loader=yaml.Loader)
    if not isinstance(data, dict) or not REQUIRED_KEYS <= data.keys():
        raise PipelineError(f"{path}: needs keys {sorted(REQUIRED_KEYS)}")
    for index, step in enumerate(data["steps"]):
        if "run" not in step:
            raise PipelineError(f"{path}: step {index} has no 'run'")
    return data


def step_commands(pipeline: dict[str, Any]) -> list[str]:
    return [step["run"] for step in pipeline["steps"]]
