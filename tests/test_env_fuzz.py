"""Fuzzing that reaches our routes and our ``/ws`` logic, against a real uvicorn server.

* schemathesis draws requests from ``/openapi.json`` for every route, with ``env_name``
  fixed to ``code_review`` (left to itself it never guesses it, and the task routes only ever
  answer 404), plus explicit, well-formed examples: every graderlib route must answer 2xx at
  least once, and no request may get a 5xx.
* hypothesis draws WebSocket frames (arbitrary JSON, frames of a known type with random or
  nearly valid data, lone surrogates, binary frames, deep nesting) onto ONE session: each
  frame gets an answer (an observation, a state or an error frame with a code), the session
  is never closed, and the server log never holds a traceback.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from websockets.sync.client import ClientConnection, connect

from graderlib import default_taxonomy
from graderlib.task import public_task_id
from tests.env_support import FIXTURE_TASKS, Server, running_server

pytestmark = pytest.mark.slow
LEDGER = public_task_id("env-ledger")
OUR_ROUTES = {
    "GET /tasks",
    "POST /grade",
    "GET /config",
    "GET /{env_name}/splits",
    "POST /{env_name}/tasks",
    "POST /{env_name}/num_tasks",
    "POST /{env_name}/task",
    "POST /{env_name}/task_range",
}
EXAMPLES_PER_ROUTE = 15


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    log_dir = tmp_path_factory.mktemp("logs")
    with running_server(FIXTURE_TASKS, log_dir, {"MAX_CONCURRENT_ENVS": "4"}) as running:
        yield running


# ------------------------------------------------------------------------- schemathesis


def explicit_bodies(label: str) -> list[Any]:
    """Well-formed requests a random draw would rarely make."""
    if label == "POST /grade":
        return [
            {
                "task_id": LEDGER,
                "findings": [
                    {"line": 15, "category": "sql-injection", "message": "owner in the SQL"},
                    {"line": 24, "category": "B006", "severity": "medium", "message": "[] default"},
                ],
            },
            {"task_id": "env-clean-cache", "findings": []},
        ]
    if label in ("POST /{env_name}/tasks", "POST /{env_name}/num_tasks"):
        return [{"split": "train"}, {"split": "test"}]
    if label == "POST /{env_name}/task":
        return [{"split": "train", "index": 0}]
    if label == "POST /{env_name}/task_range":
        return [{"split": "train", "start": 0, "stop": 2}, {"split": "train", "start": -1}]
    return []


def fuzz_operation(url: str, operation: Any, fixed: dict[str, str] | None) -> Counter[int]:
    """Statuses of EXAMPLES_PER_ROUTE drawn requests, valid and invalid; none may be a 5xx."""
    seen: Counter[int] = Counter()
    label = f"{operation.method.upper()} {operation.path}"
    cases = st.one_of(
        operation.as_strategy(GenerationMode.POSITIVE, path_parameters=fixed),
        operation.as_strategy(GenerationMode.NEGATIVE, path_parameters=fixed),
    )

    @given(case=cases)
    @settings(
        max_examples=EXAMPLES_PER_ROUTE,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    def fuzz(case: schemathesis.Case) -> None:
        response = case.call(base_url=url, timeout=30)
        seen[response.status_code] += 1
        assert response.status_code < 500, (label, case.body, response.text[:500])

    fuzz()
    return seen


def test_schemathesis_reaches_every_route_and_gets_no_5xx(server: Server) -> None:
    schema = schemathesis.openapi.from_url(server.url + "/openapi.json")
    statuses: dict[str, Counter[int]] = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        label = f"{operation.method.upper()} {operation.path}"
        fixed = {"env_name": "code_review"} if "{env_name}" in operation.path else None
        seen = statuses[label] = fuzz_operation(server.url, operation, fixed)
        for body in explicit_bodies(label):
            case = operation.Case(path_parameters=fixed, body=body, media_type="application/json")
            response = case.call(base_url=server.url, timeout=30)
            seen[response.status_code] += 1
            assert response.status_code == 200, (label, body, response.text[:500])
            if label == "POST /grade" and body["findings"]:
                report = response.json()
                assert report["issues_found"] == 2 and report["redacted_view"] is True

    assert statuses.keys() >= OUR_ROUTES, sorted(statuses)
    for label in OUR_ROUTES:
        assert any(200 <= s < 300 for s in statuses[label]), (label, statuses[label])
    assert not any(s >= 500 for counts in statuses.values() for s in counts)
    assert "Traceback" not in server.log()


# ---------------------------------------------------------------------- WebSocket frames

LONE = st.sampled_from(["\ud800", "\udfff", "\udbff", "x\udc00y"])
TEXT = st.one_of(
    st.text(max_size=12),
    st.builds(lambda a, s, b: a + s + b, st.text(max_size=6), LONE, st.text(max_size=6)),
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(TEXT, inner, max_size=4),
    max_leaves=12,
)
CATEGORIES = st.sampled_from([*default_taxonomy().ids[:8], "B608", "sqlx", ""])
FINDING = st.fixed_dictionaries(
    {"line": st.integers(-2, 40), "category": CATEGORIES},
    optional={"message": TEXT, "end_line": st.integers(0, 40), "severity": TEXT, "bogus": JSON},
)
ACTION = st.one_of(
    st.fixed_dictionaries(
        {"kind": st.just("report"), "findings": st.lists(FINDING, max_size=4)},
        optional={"metadata": JSON},
    ),
    st.fixed_dictionaries({"kind": st.sampled_from(["hint", "finalize", "dance"])}),
    # a patch only ever with a lone surrogate: refused before verification would run
    st.fixed_dictionaries(
        {"kind": st.just("patch"), "patch": st.builds("".join, st.tuples(TEXT, LONE))}
    ),
    JSON,
)
RESET = st.one_of(
    st.just({"task_id": "env-ledger"}),
    st.just({"task_id": "env-clean-cache", "seed": 3}),
    st.dictionaries(TEXT, JSON, max_size=3),
)
FRAME = st.one_of(
    st.builds(lambda a: json.dumps({"type": "step", "data": a}), ACTION),
    st.builds(lambda r: json.dumps({"type": "reset", "data": r}), RESET),
    st.builds(
        lambda t, d: json.dumps({"type": t, "data": d}),
        st.sampled_from(["state", "Step", "", "reset "]),
        JSON,
    ),
    JSON.map(json.dumps),
    st.binary(max_size=40),
    st.text(max_size=40),
    st.integers(33, 200_000).map(lambda n: "[" * n + "]" * n),
)


def test_hypothesis_frames_never_end_the_session(server: Server) -> None:
    ws_url = server.url.replace("http", "ws") + "/ws"
    codes: Counter[str] = Counter()
    with connect(ws_url, max_size=None) as ws:

        @given(frame=FRAME)
        @settings(
            max_examples=100,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def fuzz(frame: str | bytes) -> None:
            ws.send(frame)
            answer = receive(ws)
            assert answer["type"] in ("observation", "state", "error"), answer
            if answer["type"] == "error":
                assert isinstance(answer["data"]["code"], str) and answer["data"]["message"]
                assert answer["data"]["code"] != "SESSION_ERROR", answer
                codes[answer["data"]["code"]] += 1
            else:
                codes[answer["type"]] += 1

        fuzz()
        ws.send(json.dumps({"type": "reset", "data": {"task_id": "env-ledger"}}))
        assert receive(ws)["data"]["observation"]["task_id"] == LEDGER
    assert codes["VALIDATION_ERROR"] and codes["observation"], codes
    assert "Traceback" not in server.log()


def receive(ws: ClientConnection) -> dict[str, Any]:
    answer: dict[str, Any] = json.loads(ws.recv(timeout=30))
    return answer
