from collections.abc import Iterable, Iterator
from dataclasses import dataclass


@dataclass
class Sample:
    host: str
    name: str
    value: float


def parse(lines: Iterable[str]) -> Iterator[Sample]:
    for line in lines:
        host, name, value = line.strip().split(",")
        yield Sample(host, name, float(value))


def by_host(samples: Iterable[Sample]) -> dict[str, list[float]]:
    grouped: dict[str, list[float]] = {}
    # ok: exhausted-iterator
    for sample in samples:
        grouped.setdefault(sample.host, []).append(sample.value)
    return grouped


def rollup(lines: Iterable[str], hosts: dict[str, str]) -> dict[str, dict[str, float]]:
    """Summaries keyed by team, from samples of known hosts."""
    samples = parse(lines)
    # expect: exhausted-iterator severity=medium id=samples-twice
    unknown = [s.host for s in samples if s.host not in hosts]
    result: dict[str, dict[str, float]] = {}
    for host, values in by_host(samples).items():
        # expect: none-dereference severity=medium id=team-get
        team = hosts.get(host).upper()
        summary = result.setdefault(team, {"count": 0, "total": 0.0})
        summary["count"] += len(values)
        summary["total"] += sum(values)
    result["_unknown"] = {"count": float(len(unknown)), "total": 0.0}
    return result
