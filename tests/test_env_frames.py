"""Hostile ``/ws`` frames and idle sessions, against a real uvicorn server.

Every frame here once ended the session (OpenEnv's handler tears it down on anything but a
JSON object, and fails to encode its own error frame when the input holds a lone surrogate).
Behind :class:`env.server.frames.FrameGuard` each costs one error frame that names the field
and the reason, and the same session then plays a normal episode.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from env.server.frames import MAX_FRAME_DEPTH, FrameError, check_frame, scrub_error_frame
from graderlib import Settings, SettingsError
from tests.env_support import FIXTURE_TASKS, Server, running_server

MARK = "ZQXMARK"  # in every hostile frame; must never come back


def step(action: dict[str, Any]) -> str:
    return json.dumps({"type": "step", "data": action})


def finding(**fields: Any) -> dict[str, Any]:
    return {"line": 3, "category": "xss", "message": MARK, **fields}


# (frame, the field the error must name); ``\\ud800`` in the JSON is a lone surrogate.
HOSTILE: list[tuple[str | bytes, str]] = [
    (json.dumps([MARK, 1]), "frame"),
    (json.dumps(MARK), "frame"),
    ("null", "frame"),
    ("17", "frame"),
    (json.dumps({"type": "reset"}).encode(), "frame"),  # a binary frame
    (b"\xff\xfe" + MARK.encode(), "frame"),
    ("[" * 100_000 + "]" * 100_000, "frame"),
    ('{"type": "step", "data": ' + '{"a": ' * 50_000 + "1" + "}" * 50_001, "frame"),
    ("{" + MARK, "frame"),
    (json.dumps({"type": MARK}), "type"),
    (json.dumps({"type": [MARK]}), "type"),
    (json.dumps({"data": {"task_id": MARK}}), "type"),
    (json.dumps({"type": "step", "data": [MARK]}), "data"),
    (json.dumps({"type": "reset", "data": MARK}), "data"),
    ('{"type": "reset", "data": {"task_id": "' + MARK + '\\ud800"}}', "data.task_id"),
    (
        '{"type": "step", "data": {"kind": "report", "findings": [{"line": 3, '
        '"category": "xss", "message": "' + MARK + '\\ud800x"}]}}',
        "data.findings[0].message",
    ),
    (
        '{"type": "step", "data": {"kind": "patch", "patch": "' + MARK + '\\udbff"}}',
        "data.patch",
    ),
    ('{"type": "step", "data": {"kind": "hint", "metadata": {"\\ud800": 1}}}', "data.metadata"),
    ('{"type": "step", "data": {"kind": "hint", "metadata": {"x": NaN}}}', "frame"),
    ('{"type": "step", "data": {"kind": "hint", "n": ' + "9" * 5_000 + "}}", "frame"),
    (
        step({"kind": "hint", "metadata": json.loads('{"a": ' * 40 + "1" + "}" * 40)}),
        "data.metadata",
    ),
]


@pytest.mark.parametrize(("raw", "field"), HOSTILE)
def test_check_frame_names_the_field_and_never_the_input(raw: str | bytes, field: str) -> None:
    with pytest.raises(FrameError) as caught:
        check_frame(raw)
    error = caught.value
    assert error.field.startswith(field), (error.field, field)
    assert MARK not in error.frame() and "ud800" not in error.frame().lower()
    assert json.loads(error.frame())["data"]["message"] == f"{error.field}: {error.reason}"


def test_good_frames_pass_unchanged() -> None:
    frames = [
        {"type": "reset", "data": {"task_id": "x"}},
        {"type": "step", "data": {"kind": "report", "findings": [finding(message="é 😀")]}},
        {"type": "state"},
        {"type": "close"},
    ]
    for frame in frames:
        assert check_frame(json.dumps(frame)) == frame
    # an escaped backslash is text, not a surrogate
    assert check_frame(step({"kind": "report", "findings": [finding(message="\\ud800")]}))
    # a pair of surrogates escaped in JSON is one valid character
    assert check_frame('{"type": "state", "data": {"x": "\\ud83d\\ude00"}}')["data"] == {"x": "😀"}
    depth_ok = json.loads('{"a": ' * (MAX_FRAME_DEPTH - 3) + "1" + "}" * (MAX_FRAME_DEPTH - 3))
    assert check_frame(json.dumps({"type": "step", "data": {"metadata": depth_ok}}))


def test_outgoing_validation_errors_lose_their_input() -> None:
    frame = {
        "type": "error",
        "data": {
            "message": "Invalid message",
            "code": "VALIDATION_ERROR",
            "errors": [{"type": "int_parsing", "loc": ["line"], "msg": "bad", "input": MARK}],
        },
    }
    scrubbed = json.loads(scrub_error_frame(json.dumps(frame)))
    assert scrubbed["data"]["errors"] == [{"type": "int_parsing", "loc": ["line"], "msg": "bad"}]
    observation = json.dumps({"type": "observation", "data": {"x": MARK}})
    assert scrub_error_frame(observation) == observation


# ----------------------------------------------------------------------- live server


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    log_dir = tmp_path_factory.mktemp("logs")
    with running_server(FIXTURE_TASKS, log_dir, {"MAX_CONCURRENT_ENVS": "2"}) as running:
        yield running


def ws_url(server: Server) -> str:
    return server.url.replace("http", "ws") + "/ws"


def reply(ws: ClientConnection) -> dict[str, Any]:
    frame: dict[str, Any] = json.loads(ws.recv(timeout=30))
    return frame


@pytest.mark.slow
def test_hostile_frames_cost_one_error_frame_and_the_session_plays_on(server: Server) -> None:
    with connect(ws_url(server), max_size=None) as ws:
        ws.send(json.dumps({"type": "reset", "data": {"task_id": "env-ledger"}}))
        assert reply(ws)["type"] == "observation"
        for raw, field in HOSTILE:
            ws.send(raw)
            text = ws.recv(timeout=30)
            assert isinstance(text, str)
            assert MARK not in text, (raw[:80], text[:300])
            frame = json.loads(text)
            assert frame["type"] == "error", (raw[:80], text[:300])
            assert frame["data"]["field"].startswith(field), (field, frame)
            assert frame["data"]["reason"]
        # The very same session: a step, its state, and all 2 slots still usable.
        ws.send(step({"kind": "report", "findings": [finding(line=15, category="B608")]}))
        observed = reply(ws)
        assert observed["type"] == "observation", observed
        assert observed["data"]["observation"]["issues_found"] == 1
        ws.send(json.dumps({"type": "state"}))
        assert reply(ws)["data"]["step_count"] == 1
    log = server.log()
    assert "Traceback" not in log and MARK not in log


@pytest.mark.slow
def test_idle_session_is_closed_with_a_clear_frame_and_its_slot_freed(tmp_path: Path) -> None:
    knobs = {"MAX_CONCURRENT_ENVS": "1", "GRADERLIB_SESSION_IDLE_S": "1.5"}
    with running_server(FIXTURE_TASKS, tmp_path, knobs) as server:
        # Steps keep a session alive past the timeout.
        with connect(ws_url(server)) as ws:
            ws.send(json.dumps({"type": "reset", "data": {"task_id": "env-ledger"}}))
            assert reply(ws)["type"] == "observation"
            for _ in range(4):
                time.sleep(0.6)
                ws.send(step({"kind": "hint"}))
                assert reply(ws)["type"] == "observation"

            # state frames and junk do not: the session ends 1.5 s after the last step.
            started = time.monotonic()
            frames: list[dict[str, Any]] = []
            with pytest.raises(ConnectionClosed) as closed:
                while True:
                    ws.send(json.dumps({"type": "state"}) if len(frames) % 2 else "[]")
                    frames.append(reply(ws))
                    time.sleep(0.2)
            waited = time.monotonic() - started
            with pytest.raises(ConnectionClosed):  # what arrived before the close frame
                while True:
                    frames.append(reply(ws))
        assert 1.2 < waited < 5, waited
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 4408
        last = frames[-1]
        assert last["type"] == "error" and last["data"]["code"] == "SESSION_IDLE_TIMEOUT"
        assert "GRADERLIB_SESSION_IDLE_S" in last["data"]["message"]

        # The one slot is free again.
        with connect(ws_url(server)) as ws:
            ws.send(json.dumps({"type": "reset", "data": {"task_id": "env-ledger"}}))
            assert reply(ws)["type"] == "observation"
        assert "Traceback" not in server.log()


def test_idle_timeout_must_be_a_positive_number() -> None:
    assert Settings.from_env({}).session_idle_s == 300
    for bad in ("0", "-1", "soon", "inf", "nan"):
        with pytest.raises(SettingsError, match="GRADERLIB_SESSION_IDLE_S"):
            Settings.from_env({"GRADERLIB_SESSION_IDLE_S": bad})
    assert Settings.from_env({"GRADERLIB_SESSION_IDLE_S": "2.5"}).session_idle_s == 2.5
