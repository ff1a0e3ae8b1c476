"""Importing this module registers every libcst detector family (one module per family)."""

from graderlib.detectors import (  # noqa: F401
    correctness,
    deserialization,
    errors,
    filesystem,
    injection,
    secrets,
    transport,
    web,
)
