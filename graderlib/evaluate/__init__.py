"""Corpus-scale evaluation: scorecards of any tool or agent, where the work runs, and models
against the environment.

``graderlib scorecard`` is built from these parts: :mod:`.mapping` reads a tool's output and
assigns each result to a task, :mod:`.scorecard` counts TP/FN/FP/TN per category, :mod:`.html`
draws the ROC square, and :mod:`.engine` runs the per-task work locally or on Ray.

``graderlib infer`` is built from :mod:`.llm` (the chat-model agent), :mod:`.policies` (how an
agent plays an episode), :mod:`.sessions` (where episodes run: ``/ws``, or in process through
``env/server/runner.py``), :mod:`.infer` (the run and ``inference_results.json``) and
:mod:`.trajectories` (one JSON line per step; summaries and training tables).
"""

from graderlib.evaluate.engine import (
    ENGINES,
    Engine,
    EngineError,
    LocalEngine,
    RayEngine,
    make_engine,
)
from graderlib.evaluate.mapping import (
    Corpus,
    MappedOutput,
    TaskResult,
    ToolResult,
    Unmapped,
    map_results,
    read_tool_output,
)
from graderlib.evaluate.scorecard import (
    DEFAULT_EQUIVALENCES,
    CategoryScore,
    Overall,
    Scorecard,
    StrictRules,
    score_agent,
    score_output,
)

__all__ = [
    "DEFAULT_EQUIVALENCES",
    "ENGINES",
    "CategoryScore",
    "Corpus",
    "Engine",
    "EngineError",
    "LocalEngine",
    "MappedOutput",
    "Overall",
    "RayEngine",
    "Scorecard",
    "StrictRules",
    "TaskResult",
    "ToolResult",
    "Unmapped",
    "make_engine",
    "map_results",
    "read_tool_output",
    "score_agent",
    "score_output",
]
