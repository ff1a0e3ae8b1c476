import statistics
from collections.abc import Iterable, Iterator


def parse_latencies(lines: Iterable[str]) -> Iterator[float]:
    for line in lines:
        parts = line.split()
        if len(parts) >= 2 and parts[-1].endswith("ms"):
            yield float(parts[-1][:-2])


def summarise(lines: Iterable[str]) -> dict[str, float]:
    latencies = parse_latencies(lines)
    # expect: exhausted-iterator severity=medium id=reuse-generator
    count = sum(1 for _ in latencies)
    if count == 0:
        return {"count": 0, "mean": 0.0, "max": 0.0}
    values = list(latencies)
    return {
        "count": count,
        "mean": statistics.fmean(values) if values else 0.0,
        "max": max(values, default=0.0),
    }
