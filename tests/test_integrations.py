"""graderlib.integrations driven the way TRL's GRPOTrainer drives them.

TRL itself needs torch, which ``make test`` does not install; these tests use the exact
functions TRL uses instead (read from trl 1.16's ``trainer/grpo_trainer.py``):

* tools: ``inspect.getmembers(type(env), predicate=inspect.isfunction)``, minus ``reset``,
  ``get_reward`` and private names; the chat template turns them into JSON schemas with
  ``transformers.utils.chat_template_utils.render_jinja_template``, which calls
  ``get_json_schema`` on every method (``_tokenize_prompts``).
* rollout: ``environment.reset(**row)`` appended to the last user message; each tool call run
  as ``tool(**arguments)``, an exception becoming ``{"error": str(e)}``, the result ``str()``-ed
  into a ``tool`` message (``_tool_call_loop``); then ``get_reward()`` per environment.
* single turn: ``reward_func(prompts=..., completions=..., **columns, log_metric=...,
  log_extra=...)`` (``_calculate_rewards``).
"""

from __future__ import annotations

import inspect
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from transformers.utils import get_json_schema
from transformers.utils.chat_template_utils import render_jinja_template

from graderlib import agents, get_settings, load_task
from graderlib.integrations import (
    CodeReviewToolEnv,
    code_review_reward,
    dataset_rows,
    reward_stats,
    task_set,
)
from graderlib.task import Task
from tests.env_support import Server

TOOLS = {"report_finding", "ask_hint", "submit_patch", "finalize"}
# a minimal tool-calling chat template: renders the schemas the way real templates do
TEMPLATE = (
    "{% if tools %}TOOLS:{% for t in tools %}{{ t | tojson }}\n{% endfor %}{% endif %}"
    "{% for m in messages %}<{{ m.role }}>{{ m.content }}</{{ m.role }}>{% endfor %}"
    "{% if add_generation_prompt %}<assistant>{% endif %}"
)


def trl_tools(environment: object) -> dict[str, Any]:
    """The methods TRL offers the model as tools, and whether it sees reset and get_reward."""
    members = dict(inspect.getmembers(type(environment), predicate=inspect.isfunction))
    assert "reset" in members and "get_reward" in members
    return {
        name: getattr(environment, name)
        for name in members
        if name not in ("reset", "get_reward") and not name.startswith("_")
    }


def call_tool(tools: dict[str, Any], name: str, arguments: dict[str, Any]) -> str:
    try:
        result: Any = tools[name](**arguments)
    except Exception as error:
        result = {"error": str(error)}
    return str(result)


Call = tuple[str, dict[str, Any]]


def rollout(env: CodeReviewToolEnv, row: dict[str, Any], calls: list[Call]) -> list[str]:
    """One rollout as GRPOTrainer runs it; returns every message appended to the prompt."""
    observation = env.reset(**row)
    last = row["prompt"][-1]
    prompt = [*row["prompt"][:-1], {**last, "content": last["content"] + observation}]
    tools = trl_tools(env)
    for name, arguments in calls:
        prompt.append({"role": "tool", "name": name, "content": call_tool(tools, name, arguments)})
    return [m["content"] for m in prompt]


def oracle_calls(task: Task) -> list[Call]:
    calls: list[Call] = [
        ("report_finding", {"line": f.line, "category": f.category, "message": f.message})
        for f in agents.oracle_agent(task)
    ]
    assert task.fix_path is not None
    calls.append(("submit_patch", {"diff": Path(task.fix_path).read_text()}))
    calls.append(("finalize", {}))
    return calls


# ---------------------------------------------------------------------- the tool schema


def test_trl_sees_exactly_the_four_tools_with_schemas_for_the_model() -> None:
    env = CodeReviewToolEnv()  # TRL: factory() with no arguments
    tools = trl_tools(env)
    assert set(tools) == TOOLS
    schemas = {name: get_json_schema(method)["function"] for name, method in tools.items()}
    report = schemas["report_finding"]["parameters"]
    assert report["required"] == ["line", "category", "message"]
    assert report["properties"]["line"]["type"] == "integer"
    assert report["properties"]["severity"] == {
        "type": "string",
        "nullable": True,
        "description": "How bad it is: critical, high, medium or low (optional).",
    }
    assert "sql-injection" in report["properties"]["category"]["description"]
    assert schemas["submit_patch"]["parameters"]["required"] == ["diff"]
    assert schemas["ask_hint"]["parameters"]["properties"] == {}
    assert all(s["description"] for s in schemas.values())
    # the chat-template path TRL's _tokenize_prompts takes (apply_chat_template -> this)
    rendered = render_jinja_template(
        conversations=[[{"role": "user", "content": "review"}]],
        tools=list(tools.values()),
        chat_template=TEMPLATE,
        add_generation_prompt=True,
    )
    text = rendered[0][0] if isinstance(rendered, tuple) else rendered[0]
    assert all(f'"name": "{name}"' in text for name in TOOLS)


# ------------------------------------------------------------------- multi-turn rollout


def test_a_rollout_with_the_oracle_earns_the_full_reward_in_process() -> None:
    task = task_set().select(task_id="sqli-user-lookup")
    env = CodeReviewToolEnv()
    row = {"prompt": [{"role": "user", "content": "Review: "}], "task_id": task.id}
    messages = rollout(env, row, oracle_calls(task))
    assert task.public_id in messages[0] and task.id not in messages[0]
    assert " 27 |" in messages[0] or "27" in messages[0]  # the numbered snippet
    assert "1 matched" in messages[1] and "resolved" in messages[2]
    assert "finalized: score 1.000000" in messages[3]
    assert env.get_reward() == 1.0
    # an issue's id is shown once it is matched (as on the server), never before
    assert "sqli-find-user" not in messages[0] and "sqli-find-user" in messages[1]


def test_tool_errors_reach_the_model_and_the_pooled_instance_resets() -> None:
    env = CodeReviewToolEnv()
    row = {"prompt": [{"role": "user", "content": ""}], "task_id": "sqli-user-lookup"}
    messages = rollout(
        env,
        row,
        [
            ("report_finding", {"line": 27, "category": "no-such-kind", "message": "x y z"}),
            ("report_finding", {"line": 27}),  # the model forgot arguments
            ("report_finding", {"line": 5, "category": "xss", "message": "not really here"}),
            ("ask_hint", {}),
        ],
    )
    assert "{'error':" in messages[1] and "no-such-kind" in messages[1]
    assert "{'error':" in messages[2] and "missing" in messages[2]
    assert "15 tool calls left" in messages[3]  # the bad calls used no step
    assert "hint" in messages[4]
    assert env.get_reward() == 0.0
    # TRL reuses instances across batches: reset starts a fresh episode
    again = rollout(env, {**row, "task_id": None, "split": "train", "seed": 3}, [])
    assert "Code review task task-" in again[0] and env.get_reward() == 0.0


@pytest.mark.slow
def test_over_ws_the_same_rollout_gives_the_same_messages_and_reward(
    monkeypatch: pytest.MonkeyPatch, live_server: Server
) -> None:
    task = task_set().select(task_id="sqli-user-lookup")
    row = {"prompt": [{"role": "user", "content": ""}], "task_id": task.id}
    local = rollout(CodeReviewToolEnv(), row, oracle_calls(task))
    monkeypatch.setenv("ENV_BASE_URL", live_server.url)
    get_settings.cache_clear()  # settings are read once per process
    try:
        remote_env = CodeReviewToolEnv()
    finally:
        monkeypatch.undo()
        get_settings.cache_clear()
    remote = rollout(remote_env, row, oracle_calls(task))
    assert remote == local
    assert remote_env.get_reward() == 1.0


@pytest.fixture
def live_server(corpus_server: Server) -> Server:
    return corpus_server  # one live server on the corpus for the session (tests/conftest.py)


# ----------------------------------------------------------------- single-turn reward


def test_the_reward_function_scores_the_oracle_one_and_garbage_zero(
    caplog: pytest.LogCaptureFixture,
) -> None:
    tasks = [
        task_set().select(task_id=t) for t in ("sqli-user-lookup", "path-traversal-attachment")
    ]
    oracle = [
        json.dumps({"findings": [f.model_dump(exclude_none=True) for f in agents.oracle_agent(t)]})
        for t in tasks
    ]
    completions = [
        oracle[0],  # plain JSON
        [{"role": "assistant", "content": f"Here you go:\n```json\n{oracle[1]}\n```"}],
        "I think line 12 looks fine.",  # no JSON at all
        '{"findings": [{"line": "twelve", "category": "xss"}]}',  # JSON, but not findings
    ]
    metrics: list[tuple[str, float]] = []
    extras: list[tuple[str, list[str]]] = []
    before = (reward_stats.completions, reward_stats.unparsable)
    with caplog.at_level(logging.INFO, logger="graderlib.integrations.reward"):
        rewards = code_review_reward(
            prompts=["p"] * 4,
            completions=completions,
            task_id=[tasks[0].id, tasks[1].id, tasks[0].id, tasks[1].id],
            log_metric=lambda name, value: metrics.append((name, value)),
            log_extra=lambda column, values: extras.append((column, values)),
        )
    assert rewards == [1.0, 1.0, 0.0, 0.0]
    assert (reward_stats.completions, reward_stats.unparsable) == (before[0] + 4, before[1] + 2)
    assert metrics == [("graderlib/unparsable_fraction", 0.5)]
    (column, reasons), *_ = extras
    assert column == "graderlib_reason" and reasons[0].startswith("1 finding(s): 1/1 issues")
    assert reasons[2].startswith("unparsable") and reasons[3].startswith("unparsable")
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert logged.count("reward ") == 4 and tasks[0].public_id in logged
    assert not any(i.id in logged for t in tasks for i in t.issues)


def test_a_shotgun_completion_earns_nothing() -> None:
    task = task_set().select(task_id="sqli-user-lookup")
    shotgun = {"findings": [f.model_dump() for f in agents.shotgun_agent(task)][:200]}
    assert code_review_reward(["p"], [json.dumps(shotgun)], [task.id]) == [0.0]


# ------------------------------------------------------------------------ the dataset


def test_dataset_rows_cover_the_corpus_and_generated_tasks(tmp_path: Path) -> None:
    curated = dataset_rows(split="validation")
    validation = [t for t in task_set().tasks if t.split == "validation"]
    assert [r["task_id"] for r in curated] == [t.id for t in validation]
    assert all(
        t.id not in r["prompt"][0]["content"] for r, t in zip(curated, validation, strict=True)
    )
    rows = dataset_rows(split="test", generated=2, seed=5, generated_dir=tmp_path / "gen")
    generated = [r for r in rows if r["tasks_dir"] == str((tmp_path / "gen").resolve())]
    assert len(generated) == 2
    assert len(rows) == 2 + sum(t.split == "test" for t in task_set().tasks)
    assert rows == dataset_rows(split="test", generated=2, seed=5, generated_dir=tmp_path / "gen")
    # both TRL forms work on a generated row
    task = load_task(Path(generated[0]["tasks_dir"]) / generated[0]["task_id"])
    answer = json.dumps([f.model_dump(exclude_none=True) for f in agents.oracle_agent(task)])
    reward = code_review_reward(
        ["p"], [answer], [generated[0]["task_id"]], tasks_dir=[generated[0]["tasks_dir"]]
    )
    assert reward == [1.0]
    tools_rows = dataset_rows(generated=1, seed=5, mode="tools", generated_dir=tmp_path / "gen")
    env = CodeReviewToolEnv()
    last = tools_rows[-1]
    text = env.reset(**last)
    assert task_set(last["tasks_dir"]).select(task_id=last["task_id"]).public_id in text
    with pytest.raises(ValueError, match="unknown split"):
        dataset_rows(split="dev")


def test_dataset_is_a_hugging_face_dataset(tmp_path: Path) -> None:
    datasets = pytest.importorskip("datasets", reason="the `trl` extra installs datasets")
    from graderlib.integrations import dataset

    built = dataset(split="validation")
    assert isinstance(built, datasets.Dataset)
    assert built.column_names == ["prompt", "task_id", "tasks_dir"]
    assert built["task_id"] == [r["task_id"] for r in dataset_rows(split="validation")]
