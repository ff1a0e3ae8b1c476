import re
import subprocess
from pathlib import Path

SIZES = {"thumb": "128x128", "medium": "640x640"}
DIMENSIONS = re.compile(r"^(\d+)x(\d+)$")


def convert_image(source: Path, target: Path, size: str) -> Path:
    geometry = SIZES.get(size)
    if geometry is None:
        raise ValueError(f"unknown size {size!r}")
    subprocess.run(
        ["convert", str(source), "-resize", geometry, str(target)], check=True, timeout=120
    )
    return target


def dimensions(source: Path) -> tuple[int, int]:
    out = subprocess.run(
        ["identify", "-format", "%wx%h", str(source)],
        check=True,
        capture_output=True,
        text=True,
        timeout=30,
    ).stdout.strip()
    match = DIMENSIONS.match(out)
    if match is None:
        raise ValueError(f"cannot read dimensions of {source}")
    return int(match.group(1)), int(match.group(2))


def convert_all(sources: list[Path], out_dir: Path, done: list[Path] | None = None) -> list[Path]:
    if done is None:
        done = []
    for source in sources:
        for size in SIZES:
            done.append(convert_image(source, out_dir / f"{source.stem}-{size}.png", size))
    return done
