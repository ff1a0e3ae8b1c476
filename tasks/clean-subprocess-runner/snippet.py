import shutil
import subprocess
from pathlib import Path

PRESETS = {"720p": ["-vf", "scale=-2:720"], "480p": ["-vf", "scale=-2:480"]}


class TranscodeError(Exception):
    pass


def transcode(source: Path, target: Path, preset: str = "720p", timeout: int = 900) -> Path:
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}")
    ffmpeg = shutil.which("ffmpeg")
    if ffmpeg is None:
        raise TranscodeError("ffmpeg is not installed")
    args = [ffmpeg, "-nostdin", "-y", "-i", str(source), *PRESETS[preset], str(target)]
    # ok: command-injection
    result = subprocess.run(args, capture_output=True, text=True, timeout=timeout, check=False)
    if result.returncode != 0:
        raise TranscodeError(result.stderr[-2000:])
    return target
