import json
import os
from pathlib import Path

MEDIA_ROOT = Path("/srv/media")


def tenant_dir(tenant: str, root: Path = MEDIA_ROOT) -> Path:
    if not tenant.isalnum():
        raise ValueError("bad tenant id")
    return root / tenant


def read_manifest(path: Path) -> list[dict[str, str]]:
    # ok: resource-leak
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)["images"]


def output_path(tenant: str, name: str, root: Path = MEDIA_ROOT) -> Path:
    # expect: path-traversal severity=high id=name-from-manifest
    return tenant_dir(tenant, root) / "thumbs" / f"{name}.json"


def write_metadata(tenant: str, images: list[dict[str, str]], root: Path = MEDIA_ROOT) -> list[Path]:
    written = []
    for image in images:
        path = output_path(tenant, image["name"], root)
        os.makedirs(path.parent, exist_ok=True)
        # expect: resource-leak severity=medium id=open-write
        handle = open(path, "w", encoding="utf-8")
        json.dump({"source": image["url"], "size": [128, 128]}, handle)
        written.append(path)
    return written
