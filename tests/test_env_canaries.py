"""Recorded reward hacks (``env/canaries/``) replayed against a live server score at the floor.

The floor is the one ``env/openenv.yaml`` declares (reward range max minus ``floor_margin``);
a canary must also score no more than doing nothing (reset, then finalize) on its task.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from openenv import GenericEnvClient

from env.models import CodeReviewAction
from env.server.catalog import load_catalog
from tests.env_support import CORPUS, REPO, Server

MANIFEST = yaml.safe_load((REPO / "env" / "openenv.yaml").read_text())
CAPABILITIES = MANIFEST["validation"]["capabilities"]
CANARY_DIR = REPO / "env" / CAPABILITIES["canaries"]
CANARIES = sorted(CANARY_DIR.glob("*.json"))
REWARD = MANIFEST["validation"]["reward"]
FLOOR = REWARD["range"][1] - REWARD["floor_margin"]
# the hacks issue 13 names; every one must have a recorded trajectory
REQUIRED = {
    "shotgun",
    "every-category-one-line",
    "shifted-duplicates",
    "keyword-stuffing",
    "empty-output",
    "suppression-comments",
    "delete-the-function",
    "test-harness-reach",
    "judge-injection",
}


def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


# ------------------------------------------------------------------------ static checks


def test_the_manifest_declares_the_capabilities_the_server_has() -> None:
    assert CAPABILITIES["rubric_tree"] is True and CAPABILITIES["task_api"] is True
    assert REWARD["range"] == [0.0, 1.0] and REWARD["oracle_tolerance"] == 0.0
    assert abs(FLOOR - 0.1) < 1e-9
    splits: dict[str, int] = {}
    for task in load_catalog(CORPUS).tasks:
        splits[task.split] = splits.get(task.split, 0) + 1
    assert CAPABILITIES["declared_task_count"] == splits


def test_every_named_hack_is_recorded_as_valid_actions_on_a_served_task() -> None:
    catalog = load_catalog(CORPUS)
    names = {path.stem for path in CANARIES}
    assert names >= REQUIRED, f"missing canaries: {sorted(REQUIRED - names)}"
    for path in CANARIES:
        canary = load(path)
        assert canary["name"] == path.stem and canary["hack"]
        task = catalog.find(canary["task_id"])
        assert task is not None and task.issues, f"{path.name}: needs a served task with issues"
        for action in canary["actions"]:
            CodeReviewAction.model_validate(action)  # what the server will accept
        kinds = [a["kind"] for a in canary["actions"]]
        assert kinds[-1] == "finalize"


# ------------------------------------------------------------------- live replays


@pytest.fixture
def server(corpus_server: Server) -> Server:
    return corpus_server  # one live server on the corpus for the session (tests/conftest.py)


def replay(server: Server, task_id: str, actions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Every step's ``{"reward", "done", "observation"}``, through OpenEnv's generic client."""
    results = []
    with GenericEnvClient(base_url=server.url).sync() as client:
        client.reset(task_id=task_id)
        for action in actions:
            result = client.step(action)
            results.append(
                {"reward": result.reward, "done": result.done, "observation": result.observation}
            )
    return results


@pytest.mark.slow
@pytest.mark.parametrize("path", CANARIES, ids=[p.stem for p in CANARIES])
def test_canary_scores_at_or_below_the_floor(server: Server, path: Path) -> None:
    canary = load(path)
    results = replay(server, canary["task_id"], canary["actions"])
    do_nothing = replay(server, canary["task_id"], [{"kind": "finalize"}])[-1]
    final = results[-1]["observation"]
    rewards = [r["reward"] for r in results]
    assert all(reward is not None for reward in rewards), "every canary step reaches a verdict"
    assert sum(rewards) == pytest.approx(final["score"], abs=1e-9)
    assert results[-1]["done"] is True
    assert final["score"] <= FLOOR, f"{path.stem} scored {final['score']}"
    assert final["score"] <= do_nothing["observation"]["score"]
    if any(a["kind"] == "patch" for a in canary["actions"]):
        assert final["patch_resolved"] is False
        assert final["metadata"]["rubric_scores"]["patch"] == 0.0


@pytest.mark.slow
def test_the_canaries_are_not_served(server: Server) -> None:
    status, body = server.get("/openapi.json")
    assert status == 200 and b"canar" not in body.lower()
    for path in ("/canaries/shotgun.json", "/env/canaries/shotgun.json", "/web/../canaries"):
        assert server.get(path)[0] == 404
