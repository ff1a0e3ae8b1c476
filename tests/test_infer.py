"""``graderlib infer`` and the ``llm`` agent, end to end.

The model is a local fake OpenAI-compatible server (tests/fake_openai.py) on loopback, scripted
from the prompts it receives; the environment is the real one, in process or behind a real
uvicorn server over ``/ws``. No network.
"""

from __future__ import annotations

import json
import os
import runpy
import signal
import subprocess
import sys
import threading
from importlib.metadata import version
from pathlib import Path
from typing import Any

import pytest

from graderlib import grade, load_task
from graderlib.agents import AGENTS
from graderlib.cli import main
from graderlib.evaluate.infer import episode_specs, run_inference
from graderlib.evaluate.policies import Decision
from graderlib.task import public_task_id
from graderlib.taxonomy import default_taxonomy
from tests.env_support import FIXTURE_TASKS, REPO, running_server
from tests.fake_openai import fake_model_server

LEDGER_DIR = FIXTURE_TASKS / "env-ledger"
LEDGER = public_task_id("env-ledger")
FIX = (LEDGER_DIR / "fix.diff").read_text()
HINT = "Zq-hint: how many lists does batch() use across calls without amounts?"

SQL_FINDING = {
    "line": 15,
    "end_line": None,
    "category": "sql-injection",
    "severity": "critical",
    "message": "the owner is formatted into the SQL text",
    "recommendation": "bind the owner as a parameter",
}
DEFAULT_FINDING = {
    "line": 24,
    "end_line": None,
    "category": "mutable-default-argument",
    "severity": "medium",
    "message": "the default list is shared between calls",
    "recommendation": None,
}


def ledger_reviewer(request: dict[str, Any]) -> str:
    """A scripted model for env-ledger: a malformed first answer, the SQL injection when
    asked again, the mutable default once it has the hint, the reference fix as a patch."""
    messages = request["messages"]
    prompt = messages[1]["content"]
    if prompt.startswith("Here is snippet.py"):
        return f"Here is the fix.\n```diff\n{FIX}```\n"
    if "Hints you were given" in prompt:
        return json.dumps({"findings": [DEFAULT_FINDING]})
    if "def balance(" not in prompt:  # another task: nothing to report
        return json.dumps({"findings": []})
    if len(messages) == 2:
        return "Line 15 looks dangerous to me."
    return "```json\n" + json.dumps({"findings": [SQL_FINDING]}) + "\n```"


@pytest.fixture
def model_env(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    monkeypatch.delenv("ENV_BASE_URL", raising=False)
    monkeypatch.setenv("MODEL_NAME", "fake-reviewer")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-not-a-secret")
    monkeypatch.chdir(REPO)
    return monkeypatch


def read_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


# ------------------------------------------------------------------ the llm agent, in process


@pytest.mark.slow
def test_llm_agent_retries_takes_a_hint_patches_and_everything_is_recorded(
    model_env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out, trajectory = tmp_path / "inference_results.json", tmp_path / "steps.jsonl"
    with fake_model_server(ledger_reviewer, json_schema=False) as model:
        model_env.setenv("API_BASE_URL", model.url)
        code = main(
            ["infer", "--agent", "llm", "--tasks", str(LEDGER_DIR), "--temperature", "0.3",
             "--seed", "7", "--hints", "1", "--patch", "--out", str(out),
             "--trajectories", str(trajectory)]
        )  # fmt: skip
    printed = capsys.readouterr()
    assert code == 0, printed.err
    assert "1/1 episode(s) finished, mean score 0.950" in printed.out

    # The server refused the JSON-schema format once; the agent fell back to JSON mode.
    assert len(model.refused) == 1
    schema = model.refused[0]["response_format"]["json_schema"]
    assert schema["strict"] is True
    assert schema["schema"]["properties"]["findings"]["items"]["properties"]["category"][
        "enum"
    ] == list(default_taxonomy().ids)
    first, retry, with_hint, patch = model.requests
    assert [r["response_format"]["type"] for r in (first, retry, with_hint)] == ["json_object"] * 3
    assert "response_format" not in patch
    for request in model.requests:
        assert (request["model"], request["temperature"], request["seed"]) == (
            "fake-reviewer", 0.3, 7,
        )  # fmt: skip
    # The malformed answer went back to the model with the validation error.
    assert len(first["messages"]) == 2 and len(retry["messages"]) == 4
    malformed = {"role": "assistant", "content": "Line 15 looks dangerous to me."}
    assert retry["messages"][2] == malformed
    assert "the answer contains no JSON object" in retry["messages"][3]["content"]
    # What the model saw: the numbered snippet and the vocabulary; the hint only once paid for.
    review_prompt = first["messages"][1]["content"]
    assert "15 |     row = conn.execute(" in review_prompt
    assert "sql-injection, " in review_prompt and "mutable-default-argument" in review_prompt
    assert HINT not in review_prompt and HINT in with_hint["messages"][1]["content"]
    assert "line 15: sql-injection" in with_hint["messages"][1]["content"]
    patch_prompt = patch["messages"][1]["content"]
    assert "def balance(conn: sqlite3.Connection, owner: str) -> int:\n" in patch_prompt
    assert "15 |" not in patch_prompt
    everything_sent = json.dumps(model.requests + model.refused)
    for secret in ("env-ledger", "zq-ledger", "Zq-explanation", "follow the owner argument"):
        assert secret not in everything_sent

    # inference_results.json, field by field.
    results = json.loads(out.read_text())
    assert results["graderlib_version"] == version("graderlib")
    assert (results["agent"], results["model"]) == ("llm", "fake-reviewer")
    assert results["environment"] == "in-process"
    assert (results["episodes_per_task"], results["concurrency"]) == (1, 1)
    assert results["complete"] is True and results["session_errors"] == []
    settings = results["settings"]
    assert settings == {
        "model": "fake-reviewer",
        "base_url": model.url,
        "temperature": 0.3,
        "seed": 7,
        "max_retries": 2,
        "max_hints": 1,
        "patch": True,
        "max_tokens": None,
        "timeout_s": 120.0,
        "review_template": "default",
        "patch_template": "default",
    }
    assert "sk-test-not-a-secret" not in out.read_text()
    assert results["summary"] == {
        "episodes_planned": 1,
        "episodes_finished": 1,
        "mean_score": 0.95,
        "patches_resolved": 1,
        "hints": 1,
        "errors": 0,
    }
    (episode,) = results["results"]
    timing = {k: episode.pop(k) for k in ("seconds", "agent_seconds", "env_seconds")}
    assert timing["seconds"] >= timing["agent_seconds"] + timing["env_seconds"] > 0
    assert episode == {
        "episode": 0,
        "task": "env-ledger",
        "task_id": LEDGER,
        "repeat": 0,
        "score": 0.95,
        "steps": 5,
        "hints": 1,
        "findings": 2,
        "issues_found": 2,
        "issues_total": 2,
        "patch": {"attempts": 1, "resolved": True},
        "finalized": True,
        "done": True,
        "rejected_actions": 0,
        "model_calls": 4,
        "malformed_answers": 1,
        "session": 0,
        "error": None,
    }

    # The trajectory: one line per step, no ground truth.
    lines = read_lines(trajectory)
    text = trajectory.read_text()
    for secret in ("env-ledger", "Zq-explanation", "sk-test", "follow the owner argument"):
        assert secret not in text
    # An issue's id appears only once the agent earned it (the environment's verdict names
    # the issue a finding matched), never before.
    raw = text.splitlines()
    assert "zq-ledger-balance-query" not in raw[0] and "zq-ledger-balance-query" in raw[1]
    assert all("zq-ledger-shared-batch" not in line for line in raw[:3])
    assert [line["step"] for line in lines] == [0, 1, 2, 3, 4, 5]
    assert [line["kind"] for line in lines] == [
        "reset", "report", "hint", "report", "patch", "finalize",
    ]  # fmt: skip
    assert [line["reward"] for line in lines] == [None, 0.6, -0.05, 0.2, 0.15, 0.05]
    assert [line["score"] for line in lines] == [0.0, 0.6, 0.55, 0.75, 0.9, 0.95]
    assert [line["done"] for line in lines] == [False] * 5 + [True]
    assert {line["task_id"] for line in lines} == {LEDGER}
    assert {line["episode_id"] for line in lines} == {lines[0]["episode_id"]}
    assert all(line["schema"] == "graderlib.trajectory/1" for line in lines)
    assert all((line["agent"], line["model"]) == ("llm", "fake-reviewer") for line in lines)
    reset, report, hint, second, patched, final = lines
    assert reset["view"]["snippet"].splitlines()[14].startswith("15 |")
    assert reset["view"]["line_count"] == 28 and reset["action"] is None
    assert report["action"] == {
        "kind": "report",
        "findings": [
            {key: value for key, value in SQL_FINDING.items() if value is not None},
        ],
    }
    (review_turn,) = report["turns"]
    assert (review_turn["attempts"], review_turn["ok"]) == (2, True)
    assert review_turn["errors"] == ["the answer contains no JSON object"]
    assert review_turn["response_format"] == "json_object"
    assert json.loads(review_turn["completion"].strip("`json\n")) == {"findings": [SQL_FINDING]}
    assert report["verdict"].startswith("1 finding(s): 1 matched")
    assert report["observation"]["issues_found"] == 1 and len(report["observation"]["sha256"]) == 64
    assert hint["action"] == {"kind": "hint"} and hint["hint"] == HINT and hint["turns"] == []
    assert second["action"]["findings"][0]["line"] == 24 and second["hint"] is None
    assert patched["action"] == {"kind": "patch", "patch": FIX}
    assert patched["turns"][0]["purpose"] == "patch" and patched["observation"]["patch_resolved"]
    assert final["report"] == {"matched": 2, "false_positive": 0, "ok_violation": 0, "duplicate": 0}
    assert all(line["report"] is None for line in lines[1:-1])
    assert all(line["agent_seconds"] >= 0 and line["env_seconds"] > 0 for line in lines[1:])

    assert main(["trajectories", "summarize", str(trajectory), "--json"]) == 0
    summary = json.loads(capsys.readouterr().out)
    assert summary["overall"] == {
        "task_id": None,
        "episodes": 1,
        "finished": 1,
        "first_score": 0.6,
        "final_score": 0.95,
        "improvement": 0.35,
        "improved_episodes": 1,
        "false_positives_per_episode": 0.0,
        "hints_per_episode": 1.0,
        "episodes_with_hints": 1,
        "patch_attempts": 1,
        "patches_resolved": 1,
        "malformed_answers": 1,
    }
    assert summary["tasks"] == [{**summary["overall"], "task_id": LEDGER}]


def test_llm_agent_in_the_registry_asks_with_the_json_schema_format(
    model_env: pytest.MonkeyPatch,
) -> None:
    """``scorecard --agent llm`` finds the agent by name; one review of the task's snippet."""
    task = load_task(LEDGER_DIR)

    def both(request: dict[str, Any]) -> str:
        return json.dumps({"findings": [SQL_FINDING, DEFAULT_FINDING]})

    with fake_model_server(both) as model:
        model_env.setenv("API_BASE_URL", model.url)
        findings = AGENTS["llm"](task)
    (request,) = model.requests
    assert request["response_format"]["type"] == "json_schema"
    assert request["temperature"] == 0.0 and "seed" not in request
    assert task.numbered_source() in request["messages"][1]["content"]
    assert [(f.line, f.category) for f in findings] == [
        (15, "sql-injection"),
        (24, "mutable-default-argument"),
    ]
    assert grade(task, findings).score == 1.0


def test_inference_py_is_the_hackathon_entry_point(
    model_env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "inference_results.json"
    with fake_model_server(ledger_reviewer) as model:
        model_env.setenv("API_BASE_URL", model.url)
        argv = ["inference.py", "--tasks", str(LEDGER_DIR), "--episodes", "2", "--seed", "5"]
        argv += ["--out", str(out)]
        model_env.setattr(sys, "argv", argv)
        with pytest.raises(SystemExit) as exit_:
            runpy.run_path(str(REPO / "inference.py"), run_name="__main__")
    assert exit_.value.code == 0, capsys.readouterr().err
    results = json.loads(out.read_text())
    assert (results["agent"], results["model"], results["environment"]) == (
        "llm", "fake-reviewer", "in-process",
    )  # fmt: skip
    assert [r["score"] for r in results["results"]] == [0.65, 0.65]
    # Two requests per episode (a malformed answer, then a good one); episode k adds k to the
    # seed, so repeats differ and each one can be replayed.
    assert [request["seed"] for request in model.requests] == [5, 5, 6, 6]
    assert len((REPO / "inference.py").read_text().splitlines()) <= 15


def test_a_model_that_never_answers_well_reports_nothing_after_bounded_retries(
    model_env: pytest.MonkeyPatch,
) -> None:
    from graderlib.evaluate.llm import LLMAgent, LLMSettings, ReviewView

    task = load_task(LEDGER_DIR)
    wrong = {**SQL_FINDING, "category": "sqli-typo"}

    def stubborn(request: dict[str, Any]) -> str:
        return json.dumps({"findings": [wrong, {**DEFAULT_FINDING, "line": 999}]})

    with fake_model_server(stubborn) as model:
        agent = LLMAgent(LLMSettings(model="m", base_url=model.url, max_retries=1))

        async def review() -> Any:
            try:
                return await agent.review(ReviewView.of_task(task))
            finally:
                await agent.aclose()

        import asyncio

        findings, turn = asyncio.run(review())
    assert findings == [] and turn.ok is False and turn.attempts == 2
    assert len(model.requests) == 2
    assert turn.errors[0] == (
        "findings[0].category: unknown category 'sqli-typo' (did you mean sql-injection?); "
        "findings[1].line: 999 is not a line of the file (1..28)"
    )


class RefusedAgent:
    """Sends a report without findings, which the environment refuses, again and again."""

    name = "refused"

    def policy(self, task: Any, repeat: int = 0) -> Any:
        class Policy:
            async def act(self, observation: Any) -> Decision:
                return Decision({"kind": "report", "findings": []})

        return Policy()

    def describe(self) -> dict[str, Any]:
        return {"agent": self.name, "model": None, "settings": {}}

    async def aclose(self) -> None:
        return None


def test_refused_actions_are_recorded_and_the_episode_is_finalized(tmp_path: Path) -> None:
    from env.server.runner import InProcessSessions

    task = load_task(LEDGER_DIR)
    steps = tmp_path / "steps.jsonl"
    results = run_inference(
        RefusedAgent(),
        InProcessSessions(tasks=[task]),
        episode_specs(tasks=[task]),
        trajectories=steps,
    )
    (episode,) = results.results
    assert (episode.rejected_actions, episode.steps, episode.finalized) == (3, 1, True)
    assert episode.error is None and results.summary.errors == 0  # the agent's fault: scored
    assert episode.score == 0.05 and results.summary.mean_score == 0.05
    lines = read_lines(steps)
    assert [(line["step"], line["kind"]) for line in lines] == [
        (0, "reset"), (1, "report"), (1, "report"), (1, "report"), (1, "finalize"),
    ]  # fmt: skip
    refused = lines[1]
    assert "kind 'report' needs a non-empty 'findings' list" in refused["rejected"]
    assert (refused["reward"], refused["observation"], refused["done"]) == (None, None, False)


def test_a_model_server_that_refuses_the_key_stops_the_run(
    model_env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "results.json"
    with fake_model_server(ledger_reviewer, status=401) as model:
        model_env.setenv("API_BASE_URL", model.url)
        code = main(["infer", "--tasks", str(LEDGER_DIR), "--episodes", "3", "--out", str(out)])
    assert code == 2
    err = capsys.readouterr().err
    assert f"the model server ({model.url}) cannot serve model 'fake-reviewer'" in err
    assert "Incorrect API key provided" in err and "Traceback" not in err
    assert len(model.requests) == 1  # not once per episode
    results = json.loads(out.read_text())
    assert results["aborted"].startswith("the model server (") and results["complete"] is False
    (episode,) = results["results"]
    assert episode["error"] == results["aborted"] and episode["done"] is True
    assert results["summary"]["mean_score"] is None  # an episode the model never played


def test_bad_settings_are_exit_code_2_with_the_reason(
    model_env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    template = tmp_path / "prompt.txt"
    template.write_text("Review $snippet and $answers\n")
    assert main(["infer", "--prompt", str(template), "--out", str(tmp_path / "r.json")]) == 2
    assert "unknown placeholder(s) $answers" in capsys.readouterr().err
    model_env.delenv("MODEL_NAME")
    assert main(["infer", "--out", str(tmp_path / "r.json")]) == 2
    assert "set MODEL_NAME" in capsys.readouterr().err
    assert main(["infer", "--agent", "nobody", "--out", str(tmp_path / "r.json")]) == 2
    assert "unknown agent 'nobody'" in capsys.readouterr().err
    assert not (tmp_path / "r.json").exists()


# ------------------------------------------------------------ over /ws, four sessions at once


@pytest.mark.slow
def test_infer_over_ws_with_four_concurrent_sessions_matches_in_process(
    model_env: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    over_ws, local = tmp_path / "ws.json", tmp_path / "local.json"
    ws_steps, local_steps = tmp_path / "ws.jsonl", tmp_path / "local.jsonl"
    tasks = ["--tasks", str(FIXTURE_TASKS), "--episodes", "3"]
    with running_server(FIXTURE_TASKS, tmp_path) as server:
        code = main(
            ["infer", "--agent", "oracle", "--env-url", server.url, *tasks, "--concurrency",
             "4", "--out", str(over_ws), "--trajectories", str(ws_steps)]
        )  # fmt: skip
        assert code == 0, capsys.readouterr().err
        # The llm agent over /ws without the corpus: the tasks come from GET /tasks.
        ws_url = server.url.replace("http://", "ws://")
        with fake_model_server(ledger_reviewer) as model:
            model_env.setenv("API_BASE_URL", model.url)
            code = main(
                ["infer", "--env-url", ws_url, "--concurrency", "4",
                 "--out", str(tmp_path / "llm.json")]
            )  # fmt: skip
        assert code == 0, capsys.readouterr().err
        log = server.log()
    assert main(["infer", "--agent", "oracle", *tasks, "--out", str(local),
                 "--trajectories", str(local_steps)]) == 0  # fmt: skip

    remote = json.loads(over_ws.read_text())
    assert remote["environment"] == server.url and remote["concurrency"] == 4
    assert remote["complete"] is True
    scores = {(r["task"], r["repeat"]): r["score"] for r in remote["results"]}
    assert scores == {
        (task, repeat): score
        for task, score in (("env-clean-cache", 1.0), ("env-config-loader", 0.85),
                            ("env-ledger", 1.0))
        for repeat in range(3)
    }  # fmt: skip
    assert [r["episode"] for r in remote["results"]] == list(range(9))
    assert {r["session"] for r in remote["results"]} == {0, 1, 2, 3}
    # Four /ws connections for the oracle run (each kept for several episodes), three for
    # the llm run (three tasks): seven in all.
    assert log.count('"WebSocket /ws" [accepted]') == 7
    in_process = json.loads(local.read_text())
    assert [r["score"] for r in in_process["results"]] == [r["score"] for r in remote["results"]]

    def rewards(path: Path) -> list[tuple[int, int, float | None]]:
        return sorted((r["episode"], r["step"], r["reward"]) for r in read_lines(path))

    assert rewards(ws_steps) == rewards(local_steps)

    llm = json.loads((tmp_path / "llm.json").read_text())
    assert llm["environment"] == ws_url and llm["complete"] is True
    assert {r["task"] for r in llm["results"]} == {None}
    by_task = {r["task_id"]: r["score"] for r in llm["results"]}
    assert by_task == {
        public_task_id("env-clean-cache"): 1.0,
        public_task_id("env-config-loader"): 0.05,
        LEDGER: 0.65,
    }


# ------------------------------------------------------------------------------ Ctrl-C


@pytest.mark.slow
@pytest.mark.parametrize("sigint_at_start", ["python's default", "replaced", "ignored"])
def test_ctrl_c_writes_the_episodes_that_finished(
    model_env: pytest.MonkeyPatch,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    sigint_at_start: str,
) -> None:
    """A real SIGINT while the second episode waits for the model: the episode in flight is
    dropped, the one that finished is in the file, marked incomplete; every trajectory line
    written before the signal is kept. Also when something loaded earlier had replaced
    SIGINT's handler (asyncio.run then leaves SIGINT alone); that handler is given back. A
    process started with SIGINT ignored (a background job, as CI runs this suite) keeps
    ignoring it, as Python does: the run goes on to the end."""
    ignored: list[int] = []

    def somebody_elses(signum: int, frame: object) -> None:
        ignored.append(signum)

    at_start = {
        "python's default": signal.default_int_handler,
        "replaced": somebody_elses,
        "ignored": signal.SIG_IGN,
    }[sigint_at_start]
    before_test = signal.signal(signal.SIGINT, at_start)
    release = threading.Event()
    calls: list[int] = []

    def interrupted_in_the_second_episode(request: dict[str, Any]) -> str:
        calls.append(1)
        if len(calls) == 3:  # the second episode's first request: Ctrl-C, then hang
            os.kill(os.getpid(), signal.SIGINT)
            release.wait(timeout=3 if sigint_at_start == "ignored" else 30)
        return ledger_reviewer(request)

    out, steps = tmp_path / "results.json", tmp_path / "steps.jsonl"
    with fake_model_server(interrupted_in_the_second_episode) as model:
        model_env.setenv("API_BASE_URL", model.url)
        try:
            code = main(
                ["infer", "--tasks", str(LEDGER_DIR), "--episodes", "2", "--out", str(out),
                 "--trajectories", str(steps)]
            )  # fmt: skip
        finally:
            release.set()
            handler_after = signal.getsignal(signal.SIGINT)
            signal.signal(signal.SIGINT, before_test)
    assert handler_after is at_start
    assert ignored == []  # the run took the signal, not the handler it had replaced for a while
    if sigint_at_start == "ignored":
        assert code == 0 and json.loads(out.read_text())["complete"] is True
        return
    assert code == 130
    assert "interrupted: what finished is in" in capsys.readouterr().out
    results = json.loads(out.read_text())
    assert results["complete"] is False
    assert results["summary"]["episodes_planned"] == 2
    assert results["summary"]["episodes_finished"] == 1
    assert [(r["episode"], r["score"], r["done"]) for r in results["results"]] == [(0, 0.65, True)]
    lines = read_lines(steps)
    assert [(line["episode"], line["kind"]) for line in lines] == [
        (0, "reset"), (0, "report"), (0, "finalize"), (1, "reset"),
    ]  # fmt: skip


# ------------------------------------------------------------------ installed entry points


@pytest.mark.slow
def test_smoke_infer_and_trajectories(tmp_path: Path) -> None:
    """The console script, from the repository root (where ``env/`` is importable)."""
    script = Path(sys.executable).with_name("graderlib")
    out, steps = tmp_path / "results.json", tmp_path / "steps.jsonl"
    environ = {k: v for k, v in os.environ.items() if k != "ENV_BASE_URL"}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(script), *args], cwd=REPO, env=environ, capture_output=True, text=True,
            timeout=300, check=False,
        )  # fmt: skip

    done = run("infer", "--agent", "oracle", "--tasks", str(FIXTURE_TASKS / "env-clean-cache"),
               "--out", str(out), "--trajectories", str(steps))  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("1/1 episode(s) finished, mean score 1.000")
    assert json.loads(out.read_text())["results"][0]["score"] == 1.0
    done = run("trajectories", "summarize", str(steps))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1].split()[:5] == ["overall", "1", "1", "1.000", "1.000"]
