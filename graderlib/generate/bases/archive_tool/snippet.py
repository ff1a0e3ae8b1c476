import json
import subprocess
from pathlib import Path
from typing import Any

import yaml


def read_plan(path: Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        plan = yaml.safe_load(handle) or {}
    if "targets" not in plan:
        raise ValueError(f"{path}: plan has no targets")
    return dict(plan)


def archive_directory(source: Path, destination: Path, compress: bool = True) -> Path:
    flags = "-czf" if compress else "-cf"
    subprocess.run(
        ["tar", flags, str(destination), "-C", str(source), "."], check=True, timeout=3600
    )
    return destination


def verify_archive(archive: Path) -> list[str]:
    listing = subprocess.run(
        ["tar", "-tzf", str(archive)], check=True, capture_output=True, text=True, timeout=600
    )
    return listing.stdout.splitlines()


def write_manifest(path: Path, archives: list[Path]) -> None:
    with open(path, "w", encoding="utf-8") as handle:
        json.dump({"archives": [str(a) for a in archives]}, handle)
