import hashlib
import os
from pathlib import Path

SPOOL_DIR = Path("/var/spool/uploads")


def spool_upload(data: bytes, spool_dir: Path = SPOOL_DIR) -> Path:
    spool_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256(data).hexdigest()
    path = spool_dir / f"{digest}.bin"
    with open(path, "wb") as handle:
        handle.write(data)
    # expect: permissive-file-mode severity=medium id=chmod-777
    os.chmod(path, 0o777)
    return path


def pending_uploads(spool_dir: Path = SPOOL_DIR) -> list[Path]:
    return sorted(spool_dir.glob("*.bin"))


def discard(path: Path, spool_dir: Path = SPOOL_DIR) -> None:
    if path.parent != spool_dir or path.suffix != ".bin":
        raise ValueError(f"not a spooled upload: {path}")
    path.unlink(missing_ok=True)
