import hashlib
import json
import os
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

MAX_MEMBERS = 2000
MAX_TOTAL_BYTES = 50 * 1024 * 1024
ALLOWED_SUFFIXES = {".css", ".html", ".js", ".png", ".svg", ".json", ".woff2"}


class BundleError(Exception):
    pass


@dataclass
class InstalledTheme:
    name: str
    root: Path
    files: list[str]


def bundle_digest(path: Path) -> str:
    digest = hashlib.sha256()
    # ok: resource-leak
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(65536), b""):
            digest.update(chunk)
    return digest.hexdigest()


def check_members(archive: zipfile.ZipFile) -> list[zipfile.ZipInfo]:
    members = [m for m in archive.infolist() if not m.is_dir()]
    if len(members) > MAX_MEMBERS:
        raise BundleError("too many files")
    if sum(m.file_size for m in members) > MAX_TOTAL_BYTES:
        raise BundleError("bundle too large when extracted")
    for member in members:
        if Path(member.filename).suffix.lower() not in ALLOWED_SUFFIXES:
            raise BundleError(f"file type not allowed: {member.filename}")
    return members


def extract(archive: zipfile.ZipFile, members: list[zipfile.ZipInfo], target: Path) -> list[str]:
    written = []
    for member in members:
        # expect: path-traversal severity=high id=member-path
        destination = target / member.filename
        destination.parent.mkdir(parents=True, exist_ok=True)
        with archive.open(member) as source, open(destination, "wb") as sink:
            shutil.copyfileobj(source, sink)
        written.append(member.filename)
    return written


def install(bundle: Path, themes_dir: Path) -> InstalledTheme:
    name = bundle.stem
    if not name.replace("-", "").isalnum():
        raise BundleError(f"bad theme name {name!r}")
    staging = Path(tempfile.mkdtemp(prefix="theme-"))
    try:
        # expect: resource-leak severity=medium id=zip-not-closed
        archive = zipfile.ZipFile(bundle)
        members = check_members(archive)
        files = extract(archive, members, staging)
        final = themes_dir / name
        if final.exists():
            shutil.rmtree(final)
        shutil.move(str(staging), final)
    except zipfile.BadZipFile as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise BundleError(f"not a zip file: {bundle.name}") from error
    write_index(themes_dir, name, files, bundle_digest(bundle))
    return InstalledTheme(name, final, files)


def write_index(themes_dir: Path, name: str, files: list[str], digest: str) -> None:
    index_path = themes_dir / "index.json"
    index = json.loads(index_path.read_text()) if index_path.exists() else {}
    index[name] = {"files": sorted(files), "sha256": digest}
    tmp = index_path.with_suffix(".tmp")
    tmp.write_text(json.dumps(index, indent=2))
    os.replace(tmp, index_path)


def uninstall(themes_dir: Path, name: str) -> bool:
    target = themes_dir / name
    if not target.is_dir():
        return False
    shutil.rmtree(target)
    return True
