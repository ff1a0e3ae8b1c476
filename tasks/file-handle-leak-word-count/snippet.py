import argparse
from collections import Counter
from pathlib import Path


def count_words(path: Path) -> Counter[str]:
    # expect: resource-leak severity=medium id=open-no-close
    handle = open(path, encoding="utf-8", errors="replace")
    counts: Counter[str] = Counter()
    for line in handle:
        counts.update(word.lower() for word in line.split())
    return counts


def count_tree(root: Path, pattern: str = "*.txt") -> Counter[str]:
    total: Counter[str] = Counter()
    for path in sorted(root.rglob(pattern)):
        total.update(count_words(path))
    return total


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("root", type=Path)
    parser.add_argument("--top", type=int, default=10)
    args = parser.parse_args(argv)
    for word, n in count_tree(args.root).most_common(args.top):
        print(f"{n:8d} {word}")
