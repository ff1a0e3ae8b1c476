"""Shared timing helpers: interleaved medians so that noise hits anchor and subject alike."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def interleaved_medians(
    subject: Callable[[], object],
    anchor: Callable[[], object],
    *,
    rounds: int = 30,
    setup: Callable[[], object] | None = None,
) -> tuple[float, float]:
    """Median seconds of ``subject`` and ``anchor``, timed alternately after one warm-up each.

    ``setup`` runs (untimed) before every call of ``subject``, e.g. a reset before a step.
    """
    if setup is not None:
        setup()
    subject()
    anchor()
    subject_times: list[float] = []
    anchor_times: list[float] = []
    for _ in range(rounds):
        if setup is not None:
            setup()
        start = time.perf_counter()
        subject()
        subject_times.append(time.perf_counter() - start)
        start = time.perf_counter()
        anchor()
        anchor_times.append(time.perf_counter() - start)
    return statistics.median(subject_times), statistics.median(anchor_times)


def median_seconds(fn: Callable[[], object], *, rounds: int = 30) -> float:
    fn()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)
