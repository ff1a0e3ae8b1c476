"""Every libcst detector family (one module per family), and the list of their detectors.

Importing a family module registers its detectors in ``base.REGISTRY``. This module imports
them all, so ``base`` (which every family imports) never has to know which families exist.
"""

from graderlib.detectors import (  # noqa: F401  (importing registers the detectors)
    correctness,
    crypto,
    deserialization,
    errors,
    filesystem,
    injection,
    queries,
    secrets,
    tls,
    transport,
    web,
)
from graderlib.detectors.base import REGISTRY, Detector


def all_detectors() -> tuple[type[Detector], ...]:
    """Every registered detector, in id order."""
    return tuple(REGISTRY[key] for key in sorted(REGISTRY))
