"""Proving a fix: everything between a patch and a :class:`PatchVerdict`.

One job per module, in the order a verification runs:

* ``patch``   -- apply a unified diff (or a whole file) to the snippet, SWE-bench style fuzz;
* ``facts``   -- what the patched source defines and how it reaches into the test harness;
* ``verify``  -- orchestration and judging: re-detect, compare fingerprints, run the tests;
* ``verdict`` -- the verdict models, their reasons and summary, and the redacted view;
* ``sandbox`` -- the supervisor that starts, feeds, watches and kills the sandboxed run;
* ``runner``  -- the standard-library-only script that runs *inside* the sandbox.

``runner`` is started by path as ``python -I -S`` and must never import from ``graderlib``.
"""

from graderlib.verify.patch import (
    AppliedPatch,
    ApplyLevel,
    PatchError,
    PatchErrorKind,
    apply_patch,
    looks_like_diff,
)
from graderlib.verify.sandbox import (
    SandboxLimits,
    SandboxResult,
    TestOutcome,
    Verdict,
    needs_pytest,
    run_in_sandbox,
)
from graderlib.verify.verdict import IssueOutcome, NewFinding, PatchVerdict
from graderlib.verify.verify import check_reference_fix, verify_patch

__all__ = [
    "AppliedPatch",
    "ApplyLevel",
    "IssueOutcome",
    "NewFinding",
    "PatchError",
    "PatchErrorKind",
    "PatchVerdict",
    "SandboxLimits",
    "SandboxResult",
    "TestOutcome",
    "Verdict",
    "apply_patch",
    "check_reference_fix",
    "looks_like_diff",
    "needs_pytest",
    "run_in_sandbox",
    "verify_patch",
]
