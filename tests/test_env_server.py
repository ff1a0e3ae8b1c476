"""The environment against a real uvicorn server, through real OpenEnv clients over ``/ws``.

One server serves the whole module: the corpus (``tasks/``) plus the fixture tasks.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openenv import GenericEnvClient

from env import CodeReviewAction, CodeReviewEnv, ReviewFinding
from env.server.catalog import DIFFICULTIES, Catalog, load_catalog
from graderlib import EpisodeProgress, GradeReport, Task, default_taxonomy, grade
from graderlib.task import public_task_id
from tests.env_support import (
    FIXTURE_TASKS,
    REPO,
    RecordingEnv,
    RecordingGenericEnv,
    Server,
    combined_tasks,
    running_server,
)

pytestmark = pytest.mark.slow
OPENENV = Path(sys.executable).parent / "openenv"  # the running venv's
VOCABULARY_LIST = list(default_taxonomy().ids)
LEDGER = public_task_id("env-ledger")


@pytest.fixture(scope="module")
def tasks_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return combined_tasks(tmp_path_factory.mktemp("tasks"))


@pytest.fixture(scope="module")
def catalog(tasks_dir: Path) -> Catalog:
    return load_catalog(tasks_dir)


@pytest.fixture(scope="module")
def server(tasks_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with running_server(tasks_dir, tmp_path_factory.mktemp("logs")) as running:
        yield running


def finding(line: int, category: str, message: str) -> ReviewFinding:
    return ReviewFinding(line=line, category=category, message=message)


# ------------------------------------------------------------------------- a full episode


def test_full_episode_rewards_are_exact_and_sum_to_the_final_score(server: Server) -> None:
    """env-ledger: a critical SQL injection (weight 4 x 1.5 = 6) and a medium mutable default
    (weight 2). Defaults: patch bonus 0.15, finalize bonus 0.05, so the review part counts
    0.8; hint penalty 0.05; false positive 0.1."""
    fix = (FIXTURE_TASKS / "env-ledger" / "fix.diff").read_text()
    with CodeReviewEnv(base_url=server.url).sync() as env:
        first = env.reset(task_id="env-ledger")
        assert first.observation.score == 0.0 and first.observation.metadata["env"] == "code_review"
        assert first.observation.task_id == LEDGER
        steps = [
            # recall 6/8 = 0.75, times 0.8
            CodeReviewAction(
                kind="report", findings=[finding(15, "B608", "owner is formatted into SQL")]
            ),
            # one hint: -0.05
            CodeReviewAction(kind="hint"),
            # recall 1.0, one false positive: review 0.9 -> 0.72, minus the hint = 0.67
            CodeReviewAction(
                kind="report",
                findings=[
                    finding(24, "mutable-default-argument", "the default list is shared"),
                    finding(5, "weak-hash", "no hashing happens on this line"),
                ],
            ),
            CodeReviewAction(kind="patch", patch=fix),  # resolved: +0.15
            CodeReviewAction(kind="finalize"),  # +0.05
        ]
        results = [env.step(action) for action in steps]
        state = env.state()

    rewards = [r.reward for r in results]
    assert rewards == [0.6, -0.05, 0.12, 0.15, 0.05]
    final = results[-1].observation
    assert final.score == 0.87 and sum(rewards) == pytest.approx(final.score, abs=1e-9)
    assert [r.done for r in results] == [False, False, False, False, True]
    assert final.report is not None and final.report["score"] == 0.87
    assert final.report["redacted_view"] is True and final.report["missed"] == []
    assert results[1].observation.hints == [
        "Zq-hint: how many lists does batch() use across calls without amounts?"
    ]
    assert results[3].observation.patch_resolved is True
    assert results[3].observation.patch_summary
    assert [h.kind for h in final.history] == ["report", "hint", "report", "patch", "finalize"]
    assert [h.reward for h in final.history] == rewards
    assert final.matched_categories == ["mutable-default-argument", "sql-injection"]
    assert (final.issues_found, final.issues_total, final.remaining_steps) == (2, 2, 11)
    assert state.step_count == 5 and state.finalized and state.patch_resolved
    assert state.score == 0.87 and state.hints_used == 1 and state.task_id == LEDGER
    assert final.report["task_id"] == LEDGER


# ------------------------------------------------------------------ concurrent sessions


def public(task: Task, report: GradeReport) -> GradeReport:
    """What the environment sends: the redacted report, naming the task by its public id."""
    return report.redacted().model_copy(update={"task_id": task.public_id})


def plan_for(task: Task, session: int) -> list[list[dict[str, Any]]]:
    """Per-session findings: the first issue exactly (if any), and a session-specific guess."""
    first: list[dict[str, Any]] = []
    if task.issues:
        issue = task.issues[0]
        first.append(
            {"line": issue.span.start, "category": issue.category, "message": "found this issue"}
        )
    guess_line = 1 + session % max(task.line_count, 1)
    second = [{"line": guess_line, "category": "xss", "message": f"session {session} guess"}]
    return [f for f in (first, second) if f]


async def run_session(url: str, task: Task, session: int) -> dict[str, Any]:
    async with CodeReviewEnv(base_url=url) as env:
        # Trainers may name a task by its author id or its public id: half do each.
        chosen = task.id if session % 2 else task.public_id
        result = await env.reset(task_id=chosen, episode_id=f"episode-{session}")
        seen = [result.observation]
        plan = plan_for(task, session)
        for findings in plan:
            await asyncio.sleep(0)
            result = await env.step(
                CodeReviewAction(kind="report", findings=[ReviewFinding(**f) for f in findings])
            )
            seen.append(result.observation)
        result = await env.step(CodeReviewAction(kind="finalize"))
        seen.append(result.observation)
        state = await env.state()
    return {"task": task, "plan": plan, "seen": seen, "state": state}


def test_32_concurrent_sessions_on_different_tasks_do_not_cross_talk(
    server: Server, catalog: Catalog
) -> None:
    tasks = [catalog.tasks[i % len(catalog.tasks)] for i in range(32)]

    async def all_sessions() -> list[dict[str, Any]]:
        return await asyncio.gather(
            *(run_session(server.url, task, i) for i, task in enumerate(tasks))
        )

    outcomes = asyncio.run(all_sessions())
    assert len({o["task"].id for o in outcomes}) == min(32, len(catalog.tasks))
    for session, outcome in enumerate(outcomes):
        task: Task = outcome["task"]
        for obs in outcome["seen"]:
            assert obs.task_id == task.public_id
            assert obs.snippet == task.numbered_source()
            assert obs.metadata["episode_id"] == f"episode-{session}"
        final = outcome["seen"][-1]
        assert len(final.history) == len(outcome["plan"]) + 1
        every = [f for findings in outcome["plan"] for f in findings]
        expected = public(task, grade(task, every, episode=EpisodeProgress(finalized=True)))
        assert final.report == expected.model_dump(mode="json")
        assert final.score == expected.score
        assert sum(h.reward for h in final.history) == pytest.approx(expected.score, abs=1e-9)
        state = outcome["state"]
        assert (state.task_id, state.episode_id) == (task.public_id, f"episode-{session}")
        assert state.findings_reported == len(every)


# ------------------------------------------------------------------------- bad actions


BAD_ACTIONS: list[tuple[dict[str, Any], str]] = [
    ({"kind": "hint", "bogus": 1}, "extra_forbidden"),
    ({"kind": "delete"}, "literal_error"),
    ({}, "missing"),
    ({"kind": "report", "findings": "all of them"}, "list_type"),
    ({"kind": "report", "findings": [{"line": "twelve", "category": "sqli"}]}, "int_parsing"),
    ({"kind": "report", "findings": [{"line": 0, "category": "sqli"}]}, "greater_than_equal"),
    ({"kind": "report", "findings": [{"line": 3, "category": "sqlx"}]}, "unknown_category"),
    ({"kind": "report", "findings": [{"line": 9, "end_line": 3, "category": "xss"}]}, "line_order"),
    ({"kind": "report", "findings": []}, "missing_findings"),
    ({"kind": "hint", "patch": "x"}, "unexpected_field"),
    ({"kind": "patch", "patch": "   "}, "missing_patch"),
    ({"kind": "patch", "patch": "x" * 1_000_000}, "string_too_long"),
    (
        {"kind": "report", "findings": [{"line": 1, "category": "xss"}] * 5_000},
        "too_long",
    ),
    (
        {"kind": "report", "findings": [{"line": 1, "category": "xss", "message": "m" * 50_000}]},
        "string_too_long",
    ),
    ({"kind": "hint", "metadata": {"blob": "b" * 100_000}}, "metadata_too_large"),
]


def test_bad_actions_get_validation_errors_and_the_session_survives(server: Server) -> None:
    client = RecordingGenericEnv(base_url=server.url)
    with client.sync() as env:
        with pytest.raises(RuntimeError, match="call reset\\(\\) first"):
            env.step({"kind": "hint"})
        env.reset(task_id="env-ledger")
        for action, error_type in BAD_ACTIONS:
            with pytest.raises(RuntimeError, match="VALIDATION_ERROR"):
                env.step(action)
            error = client.last_error()
            assert error["code"] == "VALIDATION_ERROR"
            assert error_type in {e["type"] for e in error["errors"]}, (action, error)
        assert env.state()["step_count"] == 0  # no bad action consumed a step
        unknown = next(
            e for e in _errors_of(client, "unknown_category") if e["type"] == "unknown_category"
        )
        assert "did you mean sql-injection" in unknown["msg"]

        for reset_args, message in [
            ({"task_id": "no-such-task"}, "unknown task_id 'no-such-task'"),
            ({"split": "dev"}, "unknown split 'dev'"),
            ({"task": "env-ledger"}, "unknown reset argument"),
        ]:
            with pytest.raises(RuntimeError, match=re.escape(message)):
                env.reset(**reset_args)

        # The episode is intact: a valid step still works, then steps after the end are refused.
        result = env.step({"kind": "finalize"})
        assert result.done is True
        for action in ({"kind": "hint"}, {"kind": "finalize"}):
            with pytest.raises(RuntimeError, match=r"the episode is over.*call reset"):
                env.step(action)
        clean = public_task_id("env-clean-cache")
        assert env.reset(task_id="env-clean-cache").observation["task_id"] == clean
        assert env.reset(task_id=clean).observation["task_id"] == clean


def _errors_of(client: RecordingGenericEnv, error_type: str) -> list[dict[str, Any]]:
    for text in client.frames:
        frame = json.loads(text)
        errors = frame.get("data", {}).get("errors", [])
        if any(e.get("type") == error_type for e in errors):
            return list(errors)
    raise AssertionError(f"no {error_type} error frame")


def test_malformed_frames_do_not_end_the_session(server: Server) -> None:
    from websockets.sync.client import connect

    with connect(server.url.replace("http", "ws") + "/ws", max_size=None) as ws:
        for raw in ("{not json", json.dumps({"type": "dance"}), json.dumps({"type": "step"})):
            ws.send(raw)
            reply = json.loads(ws.recv(timeout=30))
            assert reply["type"] == "error"
            assert reply["data"]["code"] in ("INVALID_JSON", "UNKNOWN_TYPE", "VALIDATION_ERROR")
        ws.send(json.dumps({"type": "reset", "data": {"task_id": "env-clean-cache"}}))
        reply = json.loads(ws.recv(timeout=30))
        assert reply["type"] == "observation"
        assert reply["data"]["observation"]["task_id"] == public_task_id("env-clean-cache")


# ---------------------------------------------------------------------------- no leaks


def secrets_of(task: Task) -> dict[str, dict[str, str]]:
    """Per issue: the strings that must not reach the agent before it earns them."""
    out: dict[str, dict[str, str]] = {}
    for issue in task.issues:
        secret = {"id": issue.id}
        if issue.hint:
            secret["hint"] = issue.hint
        if issue.explanation:
            secret["explanation"] = issue.explanation
        out[issue.id] = secret
    return out


def strings_in(node: Any, public: set[str]) -> list[str]:
    """Every key and string of a decoded frame, minus what was public before the episode:
    the snippet, the description, the public task id and the taxonomy's vocabulary list (a default
    issue id IS a category id, and the vocabulary lists them all)."""
    if isinstance(node, dict):
        return [s for k, v in node.items() for s in [k, *strings_in(v, public)]]
    if isinstance(node, list):
        if node == VOCABULARY_LIST:
            return []
        return [s for item in node for s in strings_in(item, public)]
    if isinstance(node, str):
        return [] if node in public else [node]
    return [json.dumps(node)]


def mentions(text: str, identifier: str) -> bool:
    """``identifier`` as a whole token: 'assert-admin' is not in 'assert-admin-guard'."""
    return re.search(rf"(?<![\w-]){re.escape(identifier)}(?![\w-])", text) is not None


def check_texts(
    texts: list[str], task: Task, public: set[str], revealed_ids: set[str], hints: set[str]
) -> None:
    for number, raw in enumerate(texts):
        try:
            decoded: Any = json.loads(raw)
        except json.JSONDecodeError:
            decoded = raw
        everything = "\n".join(strings_in(decoded, set()))
        visible = "\n".join(strings_in(decoded, public))
        for issue_id, secret in secrets_of(task).items():
            if "explanation" in secret:
                assert secret["explanation"] not in everything, (task.id, number, "explanation")
            if issue_id not in revealed_ids:
                assert not mentions(visible, issue_id), (task.id, number, issue_id)
            if "hint" in secret and secret["hint"] not in hints:
                assert secret["hint"] not in everything, (task.id, number, "hint")


def public_of(task: Task) -> set[str]:
    return {task.public_id, task.description, task.numbered_source()}


def author_ids_in(text: str, tasks: tuple[Task, ...] | list[Task]) -> list[str]:
    """Every author id (``sqli-user-lookup``) found anywhere in ``text``, as raw bytes."""
    return [t.id for t in tasks if t.id in text]


def decoy_category(task: Task) -> str:
    used = {c for i in task.issues for c in i.categories} | {i.id for i in task.issues}
    taxonomy = default_taxonomy()
    for name in ("xss", "weak-random", "open-redirect", "xxe", "timing-attack"):
        if name not in used and all(taxonomy.relation(name, c) == 0 for c in used):
            return name
    raise AssertionError(f"no decoy category for {task.id}")


def test_no_ground_truth_in_any_byte_sent_before_it_is_earned(
    server: Server, catalog: Catalog
) -> None:
    for task in catalog.tasks:
        client = RecordingEnv(base_url=server.url)
        with client.sync() as env:
            env.reset(task_id=task.id)
            decoy = decoy_category(task)
            env.step(
                CodeReviewAction(
                    kind="report", findings=[finding(1, decoy, "a guess that matches nothing")]
                )
            )
            env.step(CodeReviewAction(kind="patch", patch="--- a/snippet.py\n+++ b/snippet.py\n"))
            check_texts(client.frames, task, public_of(task), set(), set())
            if not task.issues:
                continue
            hinted = env.step(CodeReviewAction(kind="hint")).observation.hints[-1]
            check_texts(client.frames, task, public_of(task), set(), {hinted})
            target = task.issues[-1]
            exact = finding(target.span.start, target.category, "this is the issue")
            env.step(CodeReviewAction(kind="report", findings=[exact]))
            env.state()
            env.step(CodeReviewAction(kind="finalize"))
            found = {v.issue_id for v in grade(task, [exact.model_dump()]).verdicts if v.issue_id}
            assert target.id in found
            check_texts(client.frames, task, public_of(task), found, {hinted})

    # Nor in the routes or the server's log.
    every_task = list(catalog.tasks)
    bodies = [
        server.get(path)[1].decode()
        for path in ("/tasks", "/config", "/schema", "/metadata", "/openapi.json", "/state")
    ]
    for task in every_task:
        decoy = decoy_category(task)
        status, body = server.post(
            "/grade",
            {"task_id": task.id, "findings": [{"line": 1, "category": decoy, "message": "guess"}]},
        )
        assert status == 200
        bodies.append(body.decode())
    texts = [*bodies, *server.log().splitlines()]
    every_id = {t.public_id for t in every_task}
    for task in every_task:
        check_texts(texts, task, every_id | {t.description for t in every_task}, set(), set())
    assert not [
        (n, author_ids_in(t, every_task))
        for n, t in enumerate(texts)
        if author_ids_in(t, every_task)
    ]


def test_no_author_task_id_in_any_byte_of_an_episode_or_the_task_list(
    server: Server, catalog: Catalog
) -> None:
    """Author ids name the answer (``sqli-user-lookup``, ``clean-ttl-cache``): an agent that
    starts episodes by difficulty and seed, as in training, must never receive one. Every task
    of the fixtures and of ``tasks/`` is reached; each gets a full episode."""
    every = catalog.tasks
    by_public = {t.public_id: t for t in every}
    seen: set[str] = set()
    for difficulty in DIFFICULTIES:
        wanted = {t.public_id for t in every if t.difficulty == difficulty}
        client = RecordingEnv(base_url=server.url)
        with client.sync() as env:
            seed = 0
            while not wanted <= seen:
                assert seed < 3000, (difficulty, sorted(wanted - seen))
                obs = env.reset(difficulty=difficulty, seed=seed).observation
                seed += 1
                assert obs.task_id in by_public and obs.difficulty == difficulty
                if obs.task_id in seen:
                    continue
                seen.add(obs.task_id)
                task = by_public[obs.task_id]
                decoy = decoy_category(task)
                env.step(CodeReviewAction(kind="report", findings=[finding(1, decoy, "a guess")]))
                env.step(CodeReviewAction(kind="hint"))
                env.step(
                    CodeReviewAction(kind="patch", patch="--- a/snippet.py\n+++ b/snippet.py\n")
                )
                if task.issues:
                    issue = task.issues[0]
                    exact = finding(issue.span.start, issue.category, "this is the issue")
                    env.step(CodeReviewAction(kind="report", findings=[exact]))
                final = env.step(CodeReviewAction(kind="finalize")).observation
                assert final.done and final.report is not None
                assert final.report["task_id"] == task.public_id
                assert env.state().task_id == task.public_id
        assert client.frames
        leaks = [(n, author_ids_in(f, every)) for n, f in enumerate(client.frames)]
        assert not [leak for leak in leaks if leak[1]], difficulty
    assert seen == set(by_public)

    status, body = server.get("/tasks")
    assert status == 200 and not author_ids_in(body.decode(), every)
    for split in ("train", "validation", "test"):
        status, body = server.post("/code_review/tasks", {"split": split})
        assert status == 200 and not author_ids_in(body.decode(), every)


def test_patch_feedback_names_no_issue_and_no_hidden_test(server: Server, catalog: Catalog) -> None:
    """A patch verdict knows the issue ids and the task's test names; the agent sees neither."""
    with_fix = [t for t in catalog.tasks if t.fix_path is not None and t.tests_path is not None]
    chosen = [catalog.by_id["env-ledger"], *[t for t in with_fix if t.id != "env-ledger"][:3]]
    for task in chosen:
        assert task.fix_path is not None and task.tests_path is not None
        patch = Path(task.fix_path).read_text()
        test_names = re.findall(r"^def (test_\w+)", Path(task.tests_path).read_text(), re.M)
        assert test_names
        client = RecordingEnv(base_url=server.url)
        with client.sync() as env:
            env.reset(task_id=task.id)
            # A whole-file replacement that breaks every test: the verdict lists failing tests.
            broken = env.step(CodeReviewAction(kind="patch", patch="VALUE = 1\n"))
            result = env.step(CodeReviewAction(kind="patch", patch=patch))
        assert "failing tests: test 1" in (broken.observation.patch_summary or ""), task.id
        assert result.observation.patch_resolved, (task.id, result.observation.patch_summary)
        check_texts(client.frames, task, public_of(task), set(), set())
        for frame in client.frames:
            for name in test_names:
                assert not mentions(frame, name), (task.id, name)


# -------------------------------------------------------------------------- the routes


def test_tasks_route_lists_tasks_without_answers(server: Server, catalog: Catalog) -> None:
    status, body = server.get("/tasks")
    assert status == 200
    listing = json.loads(body)
    assert listing["count"] == len(catalog.tasks)
    assert listing["categories"] == list(default_taxonomy().ids)
    for entry, task in zip(listing["tasks"], catalog.tasks, strict=True):
        assert entry == {
            "id": task.public_id,
            "difficulty": task.difficulty,
            "split": task.split,
            "line_count": task.line_count,
            "issues": len(task.issues),
            "has_tests": task.has_tests,
        }


DEEP: list[Any] = []
for _ in range(100):
    DEEP = [DEEP]


def test_grade_route_is_stateless_and_redacted(server: Server, catalog: Catalog) -> None:
    findings = [{"line": 15, "category": "CWE-89", "message": "owner formatted into SQL"}]
    status, body = server.post("/grade", {"task_id": "env-ledger", "findings": findings})
    assert status == 200
    report = json.loads(body)
    ledger = catalog.by_id["env-ledger"]
    expected = public(ledger, grade(ledger, findings))
    assert report == expected.model_dump(mode="json")
    assert report["missed"] == [] and report["issues_found"] == 1
    assert report["task_id"] == LEDGER and b"env-ledger" not in body
    assert server.post("/grade", {"task_id": "env-ledger", "findings": findings})[1] == body
    assert server.post("/grade", {"task_id": LEDGER, "findings": findings})[1] == body

    for payload, code, message in [
        (b"{nope", 400, "not JSON"),
        ({"task_id": "env-ledger"}, 422, "findings: Field required"),
        ({"task_id": "nope", "findings": []}, 404, "unknown task_id 'nope'"),
        ({"task_id": "env-ledger", "findings": [{"line": 1}]}, 422, "findings[0].category"),
        ({"task_id": "env-ledger", "findings": [], "x": 1}, 422, "x: Extra inputs"),
        ({"task_id": "env-ledger", "findings": [{"line": 1, "category": "xss"}] * 1001}, 422,
         "at most 1000"),
        (b"[" + b" " * 2_100_000 + b"]", 413, "limit 2000000"),
        (b"[" * 100_000 + b"]" * 100_000, 400, "nested too deeply"),
        ({"task_id": "env-ledger", "findings": [DEEP]}, 422, "nested deeper than 64 levels"),
    ]:  # fmt: skip
        status, body = server.post("/grade", payload)
        assert status == code, (payload if isinstance(payload, dict) else "raw", body[:300])
        assert message in json.loads(body)["detail"]
        assert not author_ids_in(body.decode(), catalog.tasks), body[:300]


def test_web_page_is_off_by_default(server: Server) -> None:
    assert server.get("/web/")[0] == 404
    assert json.loads(server.get("/config")[1])["web_interface"] is False


def test_http_step_without_episode_is_a_409_not_a_500(server: Server) -> None:
    status, body = server.post("/step", {"action": {"kind": "hint"}})
    assert status == 409
    assert "stateless" in json.loads(body)["detail"]
    status, body = server.post("/reset", {"task_id": "env-ledger"})
    assert status == 200 and json.loads(body)["observation"]["task_id"] == LEDGER
    assert b"env-ledger" not in body
    assert server.post("/reset", {"task_id": "nope"})[0] == 400


def test_openenv_task_api_lists_public_summaries(server: Server, catalog: Catalog) -> None:
    status, body = server.post("/code_review/tasks", {"split": "train"})
    assert status == 200
    listed = json.loads(body)["tasks"]
    assert [t["id"] for t in listed] == [t.public_id for t in catalog.tasks if t.split == "train"]
    status, body = server.post("/code_review/task", {"split": "train", "index": 0})
    assert status == 200 and json.loads(body)["task"]["id"] == listed[0]["id"]
    assert server.get("/code_review/splits")[0] == 200


# ------------------------------------------------------------------------ openenv validate


def test_openenv_validate_static_manifest() -> None:
    done = subprocess.run(
        [str(OPENENV), "validate", "env/", "--level", "static", "--skip-build"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "PASS  static.manifest" in done.stdout and "Verdict: PASS" in done.stdout


def test_openenv_validate_url_against_the_running_server(server: Server) -> None:
    done = subprocess.run(
        [str(OPENENV), "validate", "--url", server.url, "--json"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert report["passed"] is True
    assert {c["id"] for c in report["criteria"] if c["passed"]} >= {
        "health_endpoint",
        "metadata_endpoint",
        "schema_endpoint",
        "mcp_endpoint",
        "mode_endpoint_consistency",
    }


def test_generic_client_sees_metadata_and_typed_schema(server: Server) -> None:
    with GenericEnvClient(base_url=server.url).sync() as env:
        result = env.reset(task_id="env-config-loader", episode_id="abc")
        assert result.metadata == {"episode_id": "abc", "env": "code_review"}
        assert result.observation["issues_total"] == 2
    schema = json.loads(server.get("/schema")[1])
    assert schema["action"]["properties"]["kind"]["enum"] == ["report", "hint", "patch", "finalize"]
    assert "hints_used" in schema["state"]["properties"]
    assert "remaining_steps" in schema["observation"]["properties"]


def _bandit_helpers_of(pid: int) -> list[int]:
    """Live child processes of ``pid`` running bandit's helper (from /proc)."""
    helpers = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, parent = stat.read_text().rsplit(")", 1)[1].split()[:2]
            command = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(parent) == pid and state != "Z" and b"graderlib.detectors.worker" in command:
            helpers.append(int(stat.parent.name))
    return helpers


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def test_the_server_runs_one_bandit_helper_and_stops_it_on_shutdown(
    tasks_dir: Path, tmp_path: Path
) -> None:
    with running_server(tasks_dir, tmp_path) as own:
        helpers = _bandit_helpers_of(own.process.pid)
        assert len(helpers) == 1
    deadline = time.monotonic() + 10
    while _alive(helpers[0]) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(helpers[0])


def test_the_bandit_helper_can_be_switched_off(tasks_dir: Path, tmp_path: Path) -> None:
    with running_server(tasks_dir, tmp_path, {"GRADERLIB_BANDIT_HELPER": "false"}) as own:
        assert _bandit_helpers_of(own.process.pid) == []


def test_a_deployment_key_changes_every_public_id_the_server_shows(
    tasks_dir: Path, tmp_path: Path, catalog: Catalog
) -> None:
    unkeyed = {t.public_id for t in catalog.tasks}
    with running_server(tasks_dir, tmp_path, {"GRADERLIB_TASK_ID_KEY": "k3y"}) as own:
        status, body = own.get("/tasks")
        assert status == 200
        shown = {t["id"] for t in json.loads(body)["tasks"]}
        status, body = own.post("/reset", {"task_id": "env-ledger"})
        assert status == 200
        observed = json.loads(body)["observation"]["task_id"]
    assert len(shown) == len(unkeyed) and not shown & unkeyed
    assert observed in shown and observed != LEDGER
