import argparse
import shutil
import subprocess
import tempfile
from pathlib import Path


def dump_database(name: str, out_dir: Path) -> Path:
    target = out_dir / f"{name}.sql"
    # ok: command-injection
    subprocess.run(
        ["pg_dump", "--no-owner", "--file", str(target), name], check=True, timeout=3600
    )
    return target


def archive(source: Path, label: str) -> Path:
    """Pack ``source`` into a .tar.gz in the system temp dir and return its path."""
    # expect: insecure-temp-file severity=medium id=mktemp-archive
    staging = Path(tempfile.mktemp(prefix="backup-"))
    shutil.copytree(source, staging)
    destination = Path(tempfile.gettempdir()) / f"{label}.tar.gz"
    # expect: command-injection severity=critical id=tar-shell
    subprocess.run(f"tar -czf {destination} -C {staging} .", shell=True, check=True)
    shutil.rmtree(staging)
    return destination


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="dump and archive a database")
    parser.add_argument("database")
    parser.add_argument("--label", default="nightly")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as work:
        dump_database(args.database, Path(work))
        print(archive(Path(work), args.label))
