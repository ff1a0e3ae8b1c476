"""What "near" means: how many lines may separate a report from an issue it is about.

Grading, patch verification and the confirmation of ground truth by tools all ask the same
question, "is this finding about that issue?", and answer it with one distance
(:meth:`graderlib.locate.Span.distance`, 0 when the lines overlap) and a tolerance. The
tolerances live here, named, so a change to one is a decision about all of them:

* ``NEAR_LINES`` (2): a finding this close to an issue is about it. The reward policy's
  default reach (``RewardPolicy.near_lines``: near credit decays to 0 beyond it), and patch
  verification's test for "the issue is still there, reworded" and "this finding was there
  before the edit".
* ``CONFIRM_LINES`` (1): a tool confirms an author's issue only if it fires on the issue's
  lines or the one next to them. Tighter than grading, because a confirmation vouches that the
  ground truth is placed right, while grading forgives an agent a small slip.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from graderlib.locate import Span

NEAR_LINES = 2
CONFIRM_LINES = 1


def is_near(span: Span, start: int, end: int, tolerance: int = NEAR_LINES) -> bool:
    """Whether lines ``start..end`` lie within ``tolerance`` lines of ``span``."""
    return span.distance(start, end) <= tolerance
