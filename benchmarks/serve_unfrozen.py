"""The real server with ``gc.freeze()`` made a no-op: the "before" of the freeze, for p99.

``bench_server`` serves ``benchmarks.serve_unfrozen:app`` beside the real app, in the same
run, so the effect of freezing the loaded heap is measured rather than remembered.
"""

from __future__ import annotations

import gc

gc.freeze = lambda: None  # this process only: the server below never freezes its heap

from env.server.app import app  # noqa: E402

__all__ = ["app"]
