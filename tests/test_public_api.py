"""The public API is importable from the package root, and importing it stays cheap."""

from __future__ import annotations

import subprocess
import sys

import graderlib


def test_every_public_name_resolves() -> None:
    for name in graderlib.__all__:
        assert getattr(graderlib, name) is not None, name


def test_importing_graderlib_does_not_load_detectors_or_the_sandbox() -> None:
    probe = (
        "import sys, graderlib; "
        "print(sorted(m for m in ('libcst.matchers', 'bandit', 'graderlib.verify.sandbox', "
        "'scipy.optimize') if m in sys.modules))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert loaded == "[]"
