import json
from pathlib import Path
from typing import Any

DEFAULTS: dict[str, Any] = {"workers": 4, "queue": "default", "poll_seconds": 2.0}


class ConfigError(Exception):
    """Raised when the configuration file exists but cannot be used."""


def load_config(path: Path) -> dict[str, Any]:
    config = dict(DEFAULTS)
    if not path.exists():
        return config
    try:
        overrides = json.loads(path.read_text(encoding="utf-8"))
        config.update(overrides)
        config["workers"] = int(config["workers"])
    # expect: swallowed-exception severity=medium id=bare-except
    except:
        pass
    if config["workers"] < 1:
        raise ConfigError("workers must be positive")
    return config
