"""A guard in front of OpenEnv's ``/ws`` handler: hostile frames and idle sessions.

OpenEnv's handler ends the whole session on frames it does not expect: a binary frame, JSON
that is not an object (an array, a string, ``null``), JSON nested deeper than Python's
recursion limit, or a lone surrogate (``"\\ud800"``) anywhere in the text, which pydantic
rejects and OpenEnv then fails to encode when it echoes the input back in its error frame. Its
``UNKNOWN_TYPE`` and ``VALIDATION_ERROR`` frames also echo what the client sent. And a client
that never steps holds its slot forever unless the server has an idle timeout; OpenEnv's own
(``ConcurrencyConfig.session_timeout``, which the app also sets) frees the slot of an idle
``/ws`` session but leaves its socket open, with no word to the client.

:class:`FrameGuard` is a plain ASGI middleware for the ``/ws`` route, so OpenEnv's handler runs
unchanged behind it:

* every incoming text frame is parsed once and checked (:func:`check_frame`): a JSON object,
  a known ``type``, ``data`` an object, at most :data:`MAX_FRAME_DEPTH` levels deep, finite
  numbers, and every string and key valid Unicode. A frame that fails gets one error frame that
  names the field and the reason and never repeats the input, and the guard waits for the next
  frame: the session stays alive;
* every outgoing error frame loses the ``input``, ``ctx`` and ``url`` of its validation errors
  (:func:`scrub_error_frame`): the type, location and message say what was wrong;
* a session with no ``reset`` or ``step`` for ``idle_s`` seconds gets an error frame with code
  ``SESSION_IDLE_TIMEOUT`` and a close frame (code :data:`IDLE_CLOSE_CODE`); OpenEnv's handler
  then sees a disconnect and frees the slot. Other frames (``state``, rejected junk, pings) do
  not reset the clock, so they cannot hoard a slot. The clock runs only while the server waits
  for the client, never while a step is being computed.
"""

from __future__ import annotations

import asyncio
import json
import math
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[MutableMapping[str, Any], Receive, Send], Awaitable[None]]

KNOWN_TYPES = ("reset", "step", "state", "close", "mcp")
ACTIVITY_TYPES = frozenset({"reset", "step"})
MAX_FRAME_DEPTH = 32
IDLE_CLOSE_CODE = 4408  # a private-use close code; 408 as in HTTP's Request Timeout
_MAX_KEY_IN_PATH = 40


class FrameError(ValueError):
    """A frame the guard refuses: which field, why, and the OpenEnv error code to answer with."""

    def __init__(self, field: str, reason: str, code: str = "VALIDATION_ERROR") -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason
        self.code = code

    def frame(self) -> str:
        """The error frame, in OpenEnv's shape plus ``field`` and ``reason``."""
        data = {"message": str(self), "code": self.code, "field": self.field, "reason": self.reason}
        return json.dumps({"type": "error", "data": data})


def _refuse_constant(name: str) -> float:
    raise FrameError("frame", f"{name} is not a JSON number; send finite numbers only")


# One decoder for every frame: json.loads with a keyword builds a new one per call.
_DECODER = json.JSONDecoder(parse_constant=_refuse_constant)


def check_frame(raw: str | bytes | None) -> dict[str, Any]:
    """The frame as a dict, or :class:`FrameError` naming what is wrong (never echoing it)."""
    if not isinstance(raw, str):
        raise FrameError(
            "frame", "binary frames are not accepted; send the JSON as a text frame", "INVALID_JSON"
        )
    try:
        value = _DECODER.decode(raw)
    except RecursionError:
        raise FrameError(
            "frame", f"JSON nested deeper than {MAX_FRAME_DEPTH} levels", "INVALID_JSON"
        ) from None
    except json.JSONDecodeError as error:
        raise FrameError(
            "frame",
            f"not valid JSON ({error.msg} at line {error.lineno} column {error.colno})",
            "INVALID_JSON",
        ) from None
    except FrameError:
        raise
    except ValueError:  # CPython's limit on the digits of an integer
        raise FrameError("frame", "a number has too many digits", "INVALID_JSON") from None
    if not isinstance(value, dict):
        raise FrameError("frame", f"must be a JSON object, not {_json_kind(value)}")
    # Only a \u escape can put a lone surrogate in decoded text (a text frame is valid UTF-8),
    # and a frame with few brackets cannot be deep: most frames skip the walk.
    strings = "\\u" in raw
    if strings or raw.count("{") + raw.count("[") > MAX_FRAME_DEPTH:
        _check_tree(value, strings=strings)
    kind = value.get("type")
    if not isinstance(kind, str) or kind not in KNOWN_TYPES:
        what = "missing" if "type" not in value else "unknown"
        if "type" in value and not isinstance(kind, str):
            what = f"{_json_kind(kind)}, not a string"
        raise FrameError("type", f"{what}; one of {', '.join(KNOWN_TYPES)}", "UNKNOWN_TYPE")
    if "data" in value and not isinstance(value["data"], dict):
        raise FrameError("data", f"must be a JSON object, not {_json_kind(value['data'])}")
    return value


def _check_tree(root: dict[str, Any], *, strings: bool = True) -> None:
    """Depth (and, with ``strings``, the Unicode of every string and key), iteratively: the
    tree may be as deep as json allows."""
    stack: list[tuple[Any, str, int]] = [(root, "", 1)]
    while stack:
        node, path, depth = stack.pop()
        if isinstance(node, str):
            if not node.isascii() and not _encodable(node):
                raise FrameError(path or "frame", "text holds a lone surrogate (invalid Unicode)")
        elif isinstance(node, dict):
            if depth > MAX_FRAME_DEPTH:
                raise FrameError(path, f"nested deeper than {MAX_FRAME_DEPTH} levels")
            for number, (key, child) in enumerate(node.items()):
                label = _key_label(key, number)
                child_path = f"{path}.{label}" if path else label
                if strings and not key.isascii() and not _encodable(key):
                    raise FrameError(child_path, "key holds a lone surrogate (invalid Unicode)")
                if strings or isinstance(child, dict | list):
                    stack.append((child, child_path, depth + 1))
        elif isinstance(node, list):
            if depth > MAX_FRAME_DEPTH:
                raise FrameError(path, f"nested deeper than {MAX_FRAME_DEPTH} levels")
            stack.extend(
                (child, f"{path}[{i}]", depth + 1)
                for i, child in enumerate(node)
                if strings or isinstance(child, dict | list)
            )


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _key_label(key: str, number: int) -> str:
    """A key as it may appear in an error: itself if it is a short name, else its position."""
    if key.isidentifier() and key.isascii() and len(key) <= _MAX_KEY_IN_PATH:
        return key
    return f"<key {number}>"


def _json_kind(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    return "an object"


_ERROR_PREFIXES = ('{"type":"error"', '{"type": "error"')
_KEPT_ERROR_KEYS = ("type", "loc", "msg")


def scrub_error_frame(text: str) -> str:
    """An outgoing error frame without the input it would echo back (pydantic's input/ctx/url)."""
    if not text.startswith(_ERROR_PREFIXES):
        return text
    try:
        frame = json.loads(text)
        errors = frame["data"]["errors"]
    except (ValueError, KeyError, TypeError):
        return text
    if not isinstance(errors, list):
        return text
    frame["data"]["errors"] = [
        {
            "type": e.get("type"),
            "loc": [p[:100] if isinstance(p, str) else p for p in e.get("loc", [])],
            "msg": e.get("msg"),
        }
        if isinstance(e, dict)
        else None
        for e in errors
    ]
    return json.dumps(frame)


class FrameGuard:
    """ASGI middleware: checks frames on ``path`` and closes sessions idle for ``idle_s``."""

    def __init__(self, app: ASGIApp, *, idle_s: float, path: str = "/ws") -> None:
        if not idle_s > 0 or math.isinf(idle_s):
            raise ValueError(f"idle_s must be a positive number of seconds, not {idle_s}")
        self.app = app
        self.idle_s = idle_s
        self.path = path

    async def __call__(self, scope: MutableMapping[str, Any], receive: Receive, send: Send) -> None:
        if scope["type"] != "websocket" or scope.get("path") != self.path:
            await self.app(scope, receive, send)
            return
        session = _GuardedSocket(receive, send, self.idle_s)
        await self.app(scope, session.receive, session.send)


class _GuardedSocket:
    """One connection's receive/send pair as the guarded handler sees it.

    The idle clock is one timer per session, not a timeout per frame: a step only moves the
    deadline (a float), and the timer, when it fires early, re-arms itself for the deadline
    as it stands then. Only when the deadline has passed while the server waits for a frame
    does it cancel that wait, and :meth:`receive` tells its own cancellation from anyone
    else's the way ``asyncio.timeout`` does (``Task.uncancel``).
    """

    def __init__(self, receive: Receive, send: Send, idle_s: float) -> None:
        self._receive = receive
        self._send = send
        self._idle_s = idle_s
        self._accepted = False
        self._closed = False
        self._deadline = 0.0
        self._restart_clock = True
        self._timer: asyncio.TimerHandle | None = None
        self._waiting: asyncio.Task[Any] | None = None  # the task awaiting a frame, if any
        self._expired = False

    async def receive(self) -> Message:
        if not self._accepted:
            return await self._receive()
        loop = asyncio.get_running_loop()
        while True:
            if self._closed:
                return {"type": "websocket.disconnect", "code": IDLE_CLOSE_CODE}
            if self._restart_clock:
                self._deadline = loop.time() + self._idle_s
                self._restart_clock = False
            if self._timer is None:
                self._timer = loop.call_at(self._deadline, self._on_timer)
            task = asyncio.current_task()
            assert task is not None
            cancelling = task.cancelling()
            self._waiting = task
            try:
                message = await self._receive()
            except asyncio.CancelledError:
                if self._expired and task.uncancel() <= cancelling:
                    await self._close_idle()
                    continue
                raise
            finally:
                self._waiting = None
            if message["type"] != "websocket.receive":
                self._stop_timer()
                return message
            raw = message.get("text")
            try:
                frame = check_frame(raw if raw is not None else message.get("bytes"))
            except FrameError as error:
                try:
                    await self._send({"type": "websocket.send", "text": error.frame()})
                except OSError:  # the client left right after its bad frame
                    self._stop_timer()
                    return {"type": "websocket.disconnect", "code": 1006}
                continue
            if frame["type"] in ACTIVITY_TYPES:
                self._restart_clock = True
            return message

    def _on_timer(self) -> None:
        self._timer = None
        if self._closed or self._waiting is None:
            return  # a step is running: the next wait for a frame arms the timer again
        loop = asyncio.get_running_loop()
        if loop.time() < self._deadline:  # the session was active since the timer was set
            self._timer = loop.call_at(self._deadline, self._on_timer)
            return
        self._expired = True
        self._waiting.cancel()

    def _stop_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None

    async def send(self, message: Message) -> None:
        if self._closed:
            return  # the guard closed this socket already; the handler is only tidying up
        kind = message["type"]
        if kind == "websocket.accept":
            self._accepted = True
        elif kind == "websocket.close":
            self._closed = True
            self._stop_timer()
        elif kind == "websocket.send":
            text = message.get("text")
            if isinstance(text, str) and text.startswith(_ERROR_PREFIXES):
                message = {**message, "text": scrub_error_frame(text)}
        await self._send(message)

    async def _close_idle(self) -> None:
        reason = (
            f"session closed: no reset or step for {self._idle_s:g} s "
            "(GRADERLIB_SESSION_IDLE_S); reconnect to start again"
        )
        frame = {"type": "error", "data": {"message": reason, "code": "SESSION_IDLE_TIMEOUT"}}
        self._closed = True
        self._stop_timer()
        try:
            await self._send({"type": "websocket.send", "text": json.dumps(frame)})
            await self._send({"type": "websocket.close", "code": IDLE_CLOSE_CODE, "reason": "idle"})
        except OSError:  # the client went away meanwhile: nothing left to tell it
            pass
