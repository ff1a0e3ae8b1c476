"""Episodes through ``graderlib infer``'s loop vs the same episodes played on the environment.

Four oracle episodes on the ten-issue fixture task (reset, one report of ten exact findings,
finalize). The anchor plays them by calling ``CodeReviewEnvironment.reset``/``step`` directly in
this thread. The subject plays them through ``run_inference``: an asyncio loop, the in-process
session (each step in a worker thread, observations serialised as the server sends them), the
oracle's policy, the results model and a trajectory JSONL file. The ratio is what the inference
loop adds on top of the environment itself: serialising each observation as the server does,
and the trajectory line (a digest of the observation, the record, a flush) for every step.
The same run without ``--trajectories`` is reported too.

Target: at most 3x the environment alone (over ``/ws`` a step costs ~6x one grade already,
see bench_env; a model call costs far more than either).
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from benchmarks.timing import interleaved_medians
from env.models import CodeReviewAction, ReviewFinding
from env.server.catalog import load_catalog
from env.server.environment import CodeReviewEnvironment
from env.server.runner import InProcessSessions
from graderlib.agents import oracle_agent
from graderlib.evaluate.infer import episode_specs, run_inference
from graderlib.evaluate.policies import OfflinePlayer

TASKS = Path(__file__).parent / "fixtures"
TASK_ID = "ten_issues"
EPISODES = 4
ROUNDS = 20
TARGET = 3.0


def run() -> dict[str, object]:
    catalog = load_catalog(TASKS)
    task = catalog.by_id[TASK_ID]
    findings = [
        ReviewFinding(line=f.line, category=f.category, message=f.message)
        for f in oracle_agent(task)
    ]
    sessions = InProcessSessions(tasks=[task])
    specs = episode_specs(tasks=[task], episodes=EPISODES)
    player = OfflinePlayer("oracle", oracle_agent)
    scratch = Path(tempfile.mkdtemp(prefix="bench_infer_"))

    def direct() -> object:
        environment = CodeReviewEnvironment(catalog=catalog)
        for _ in range(EPISODES):
            environment.reset(task_id=TASK_ID)
            environment.step(CodeReviewAction(kind="report", findings=findings))
            last = environment.step(CodeReviewAction(kind="finalize"))
        return last

    def through_infer() -> object:
        steps = scratch / "steps.jsonl"
        steps.unlink(missing_ok=True)
        return run_inference(player, sessions, specs, trajectories=steps)

    def without_trajectories() -> object:
        return run_inference(player, sessions, specs)

    subject, anchor = interleaved_medians(through_infer, direct, rounds=ROUNDS)
    bare, bare_anchor = interleaved_medians(without_trajectories, direct, rounds=ROUNDS)
    ratio = subject / anchor
    return {
        "episodes": EPISODES,
        "infer_ms": round(subject * 1000, 2),
        "environment_alone_ms": round(anchor * 1000, 2),
        "infer_vs_environment": round(ratio, 3),
        "infer_without_trajectories_vs_environment": round(bare / bare_anchor, 3),
        "target": TARGET,
        "met": ratio <= TARGET,
    }
