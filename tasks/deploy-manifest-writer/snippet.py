import os
from pathlib import Path
from typing import Any

import yaml


def read_manifest(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    # expect: unsafe-deserialization severity=critical id=yaml-unsafe
    return yaml.load(text, Loader=yaml.UnsafeLoader)


def write_env_file(manifest: dict[str, Any], out_dir: Path) -> Path:
    out = out_dir / f"{manifest['service']}.env"
    lines = [f"{key}={value}" for key, value in sorted(manifest.get("env", {}).items())]
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    # expect: permissive-file-mode severity=medium id=env-world-readable
    os.chmod(out, 0o666)
    return out


def read_defaults(path: Path) -> dict[str, Any]:
    with open(path, encoding="utf-8") as handle:
        # ok: unsafe-deserialization
        return yaml.safe_load(handle) or {}


def render_all(manifest_dir: Path, defaults: Path, out_dir: Path) -> list[Path]:
    base = read_defaults(defaults)
    written = []
    for path in sorted(manifest_dir.glob("*.yaml")):
        manifest = {**base, **read_manifest(path)}
        written.append(write_env_file(manifest, out_dir))
    return written
