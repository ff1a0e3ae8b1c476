"""Where corpus-scale work runs: in this process, in a local process pool, or on a Ray cluster.

Scorecards, inference and task generation all do the same thing: apply one pure function to
every item of a list (usually one task) and consume the results in the list's order. An
:class:`Engine` is exactly that, ``engine.map(function, items)``, so a command chooses where
the work runs with ``--engine`` and ``--jobs`` without any of its own code changing, and a run
on Ray gives byte-for-byte the results of a local run.

The function must be importable by name (a module-level function) and its items and results
picklable: both a process pool and Ray ship them to other processes.
"""

from __future__ import annotations

import multiprocessing
import os
import socket
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any, Literal, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")
EngineName = Literal["local", "ray"]
ENGINES: tuple[EngineName, ...] = ("local", "ray")
Progress = Callable[[int], None]
"""Called with the number of items finished so far, each time it grows."""


class EngineError(RuntimeError):
    """An engine that cannot start (Ray missing, a cluster address nobody answers on)."""


class Engine(Protocol):
    """Applies a function to every item; results come back in the items' order, as they finish."""

    def map(
        self, function: Callable[[T], R], items: Sequence[T], progress: Progress | None = None
    ) -> Iterator[R]: ...


class LocalEngine:
    """``jobs`` worker processes on this machine; ``jobs=1`` runs in this process, no pool.

    Workers start with the ``forkserver`` method, not ``fork``: the caller may hold threads
    (the bandit helper, Ray's or rich's), and forking a process with threads can deadlock the
    child. At most ``2 * jobs`` items are in flight, so a long corpus streams instead of
    queueing every task's pickled source at once.
    """

    def __init__(self, jobs: int = 1) -> None:
        if jobs < 1:
            raise ValueError(f"jobs must be at least 1, got {jobs}")
        self.jobs = jobs

    def map(
        self, function: Callable[[T], R], items: Sequence[T], progress: Progress | None = None
    ) -> Iterator[R]:
        if self.jobs == 1 or len(items) <= 1:
            return _serial(function, items, progress)
        return self._pooled(function, items, progress)

    def _pooled(
        self, function: Callable[[T], R], items: Sequence[T], progress: Progress | None
    ) -> Iterator[R]:
        context = multiprocessing.get_context("forkserver")
        workers = min(self.jobs, len(items))
        with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
            yield from _windowed(
                (lambda item: pool.submit(function, item)),
                lambda future: future.result(),
                items,
                2 * workers,
                progress,
            )


class RayEngine:
    """One Ray task per item on a Ray cluster (``address``), or on a local Ray it starts.

    ``address=None`` joins the Ray this process already initialised, else the cluster named
    by ``$RAY_ADDRESS``, else starts a local one; ``"auto"`` or ``"ray://host:10001"`` join an
    existing cluster (``ray start --head``). Ray is imported here and nowhere else, so it stays
    an optional extra (``pip install 'graderlib[ray]'``).
    """

    def __init__(self, address: str | None = None, max_in_flight: int | None = None) -> None:
        self.address = address
        self.max_in_flight = max_in_flight

    def _ray(self) -> Any:
        try:
            import ray
        except ImportError:
            raise EngineError("the ray engine needs Ray: pip install 'graderlib[ray]'") from None
        if not ray.is_initialized():
            _check_reachable(self.address or os.environ.get("RAY_ADDRESS"))
            try:
                ray.init(
                    address=self.address,
                    include_dashboard=False,
                    log_to_driver=False,
                    configure_logging=False,
                )
            except (ConnectionError, RuntimeError, ValueError) as error:
                where = self.address or os.environ.get("RAY_ADDRESS") or "a local Ray"
                raise EngineError(f"cannot start or join Ray at {where}: {error}") from None
        return ray

    def map(
        self, function: Callable[[T], R], items: Sequence[T], progress: Progress | None = None
    ) -> Iterator[R]:
        ray = self._ray()
        remote = ray.remote(function)
        window = self.max_in_flight or max(2, 2 * int(ray.cluster_resources().get("CPU", 1)))
        return _windowed(lambda item: remote.remote(item), ray.get, items, window, progress)


def _check_reachable(address: str | None, timeout: float = 5.0) -> None:
    """Fail fast on a ``host:port`` nobody answers on: Ray itself retries it for minutes."""
    if not address or address in ("auto", "local"):
        return
    host, _, port = address.removeprefix("ray://").rpartition(":")
    if not host or not port.isdigit():
        raise EngineError(f"--address {address!r}: expected host:port, ray://host:port or auto")
    try:
        socket.create_connection((host, int(port)), timeout=timeout).close()
    except OSError as error:
        raise EngineError(f"no Ray cluster answers at {address} ({error})") from None


def _serial(
    function: Callable[[T], R], items: Iterable[T], progress: Progress | None
) -> Iterator[R]:
    for done, item in enumerate(items, start=1):
        result = function(item)
        if progress is not None:
            progress(done)
        yield result


def _windowed(
    submit: Callable[[T], Any],
    wait: Callable[[Any], R],
    items: Sequence[T],
    window: int,
    progress: Progress | None,
) -> Iterator[R]:
    """Keep ``window`` items submitted ahead of the one being waited for; yield in order."""
    pending: deque[Future[R] | Any] = deque()
    upcoming = iter(items)
    done = 0
    for item in upcoming:
        pending.append(submit(item))
        if len(pending) >= window:
            break
    while pending:
        result = wait(pending.popleft())
        next_item = next(upcoming, _END)
        if next_item is not _END:
            pending.append(submit(next_item))  # type: ignore[arg-type]
        done += 1
        if progress is not None:
            progress(done)
        yield result


_END = object()


def make_engine(name: str = "local", *, jobs: int = 1, address: str | None = None) -> Engine:
    """The engine a command line asked for: ``--engine {local,ray} [--jobs N] [--address A]``."""
    if name == "local":
        if address is not None:
            raise ValueError("--address only applies to --engine ray")
        return LocalEngine(jobs)
    if name == "ray":
        return RayEngine(address)
    raise ValueError(f"unknown engine {name!r}; choose from {', '.join(ENGINES)}")
