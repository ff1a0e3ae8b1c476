"""Static detectors in taxonomy terms: graderlib's libcst checks, bandit and ruff, merged.

``scan(source)`` is the entry point; ``all_detectors()`` lists graderlib's own checks, each a
small class with an id, a category, a CWE and the examples that test it.
"""

from graderlib.detectors.base import Detector, DetectorFinding, Invalid
from graderlib.detectors.consensus import ARBITRATED, SuppressedFinding
from graderlib.detectors.families import all_detectors
from graderlib.detectors.scan import TOOLS, ScanResult, merge, scan
from graderlib.detectors.worker import start_bandit_worker, stop_bandit_worker

__all__ = [
    "ARBITRATED",
    "TOOLS",
    "Detector",
    "DetectorFinding",
    "Invalid",
    "ScanResult",
    "SuppressedFinding",
    "all_detectors",
    "merge",
    "scan",
    "start_bandit_worker",
    "stop_bandit_worker",
]
