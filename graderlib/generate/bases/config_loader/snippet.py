import json
import os
from pathlib import Path
from typing import Any

import yaml


class ConfigError(Exception):
    pass


def read_yaml(path: Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        try:
            data = yaml.safe_load(handle)
        except yaml.YAMLError as error:
            raise ConfigError(f"{path}: {error}") from error
    if data is None:
        raise ConfigError(f"{path}: empty file")
    return dict(data)


def read_overrides(path: Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        return dict(json.load(handle))


def load_settings(base: Path, overrides: Path | None = None) -> dict[str, Any]:
    settings = read_yaml(base)
    if overrides is not None and overrides.exists():
        settings.update(read_overrides(overrides))
    if os.environ.get("APP_MODE", "").lower() == "maintenance":
        settings["read_only"] = True
    return settings
