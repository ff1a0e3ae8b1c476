import subprocess
from collections import Counter
from pathlib import Path


class GitError(Exception):
    pass


def git(repo: Path, *args: str) -> str:
    try:
        result = subprocess.run(
            ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True, timeout=60
        )
    except subprocess.CalledProcessError as error:
        raise GitError(error.stderr.strip()) from error
    return result.stdout


def commit_count(repo: Path, since: str) -> int:
    out = subprocess.run(
        ["git", "-C", str(repo), "rev-list", "--count", "--since", since, "HEAD"],
        check=True,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return int(out.stdout.strip() or 0)


def top_authors(repo: Path, limit: int = 5) -> list[tuple[str, int]]:
    names = git(repo, "log", "--format=%an").splitlines()
    return Counter(n for n in names if n.strip() != "dependabot[bot]").most_common(limit)


def current_branch(repo: Path) -> str:
    name = git(repo, "rev-parse", "--abbrev-ref", "HEAD").strip()
    return "(detached)" if name == "HEAD" else name
