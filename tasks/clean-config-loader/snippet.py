import json
import os
from pathlib import Path
from typing import Any

import yaml


class ConfigError(Exception):
    pass


def read_file(path: Path) -> dict[str, Any]:
    try:
        with open(path, encoding="utf-8") as handle:
            if path.suffix in {".yaml", ".yml"}:
                # ok: unsafe-deserialization
                data = yaml.safe_load(handle)
            else:
                data = json.load(handle)
    except (OSError, ValueError, yaml.YAMLError) as error:
        raise ConfigError(f"{path}: {error}") from error
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: top level must be a mapping")
    return data


def load(paths: list[Path], env_prefix: str = "APP_") -> dict[str, Any]:
    config: dict[str, Any] = {}
    for path in paths:
        if path.exists():
            config.update(read_file(path))
    for key, value in os.environ.items():
        if key.startswith(env_prefix):
            config[key[len(env_prefix):].lower()] = value
    return config
