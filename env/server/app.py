"""The FastAPI app: OpenEnv's server for :class:`CodeReviewEnvironment`, plus our routes and page.

Run it with ``make serve`` or ``uvicorn env.server.app:app`` from the repository root.

Environment variables:

* ``MAX_CONCURRENT_ENVS``: WebSocket sessions at once, each with its own environment (64).
* ``GRADERLIB_TASKS_DIR``: where the tasks are (the repository's ``tasks/``).
* ``GRADERLIB_STEP_BUDGET``: steps per episode (16).
* ``ENABLE_WEB_INTERFACE=true``: serve the review page at ``/web/``.
* ``GRADERLIB_GRADE_ROUTE=false``: drop ``POST /grade``, a free oracle for agents in training.
* ``GRADERLIB_TASK_ID_KEY``: key the public task ids (see ``graderlib.task.public_task_id``).
* ``GRADERLIB_BANDIT_HELPER=false``: run bandit inside the server process instead of in its
  helper process (see ``graderlib.detectors.worker``); the helper, on by default, makes each
  patch check ~5-10 ms faster.
* ``GRADERLIB_SESSION_IDLE_S``: close a ``/ws`` session after this many seconds without a
  ``reset`` or ``step`` (300), with an error frame, and free its slot (see ``frames.py``).

Every ``/ws`` frame passes :class:`~env.server.frames.FrameGuard` before OpenEnv's handler:
a malformed frame costs one error frame, never the session.

Once the catalog and the detectors are loaded, the heap is frozen (``gc.freeze()``): the
~200k objects that live as long as the server leave the collector's view, so a full
collection no longer walks them (it took ~115 ms, the p99 of a step under load).

Why ``create_fastapi_app`` and not ``create_app``: ``create_app`` is a thin switch that, when
``ENABLE_WEB_INTERFACE`` is set, builds OpenEnv's Gradio UI, and that UI drives ONE shared
environment instance for every browser (``/web/reset`` and ``/web/step``). A review episode
must belong to one person, so we always build the plain OpenEnv app (the branch ``create_app``
takes without the flag, same arguments) and serve our own page, which opens its own ``/ws``
session per browser tab. The environment is passed as a CLASS, so the server constructs one
per session.
"""

from __future__ import annotations

import gc
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from openenv.core.env_server.http_server import create_fastapi_app
from openenv.core.env_server.types import ConcurrencyConfig
from starlette.concurrency import run_in_threadpool

from env.models import CodeReviewAction, CodeReviewObservation, CodeReviewState
from env.server.catalog import load_catalog
from env.server.environment import ENV_NAME, CodeReviewEnvironment, step_budget_from_env
from env.server.frames import FrameGuard, session_idle_s_from_env
from env.server.routes import add_routes
from graderlib import RewardPolicy, grade
from graderlib.detectors import start_bandit_worker, stop_bandit_worker
from graderlib.detectors.external import ToolError

WEB_DIR = Path(__file__).parent / "web"
DEFAULT_MAX_CONCURRENT_ENVS = 64
log = logging.getLogger(__name__)


def _flag(name: str, *, default: bool = False) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    return default if not raw else raw in ("1", "true", "yes")


def max_concurrent_envs_from_env() -> int:
    raw = os.environ.get("MAX_CONCURRENT_ENVS", "")
    if not raw:
        return DEFAULT_MAX_CONCURRENT_ENVS
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError(f"MAX_CONCURRENT_ENVS={raw!r} must be a positive integer")
    return int(raw)


def build_app() -> FastAPI:
    """A fresh app configured from the environment variables above."""
    max_envs = max_concurrent_envs_from_env()
    idle_s = session_idle_s_from_env()
    catalog = load_catalog()  # fail at startup, with the task's file:line, if it does not load
    web = _flag("ENABLE_WEB_INTERFACE")
    app: FastAPI = create_fastapi_app(
        CodeReviewEnvironment,
        CodeReviewAction,
        CodeReviewObservation,
        # OpenEnv's reaper frees idle slots too; FrameGuard closes the socket and says why.
        concurrency_config=ConcurrencyConfig(max_concurrent_envs=max_envs, session_timeout=idle_s),
        env_name=ENV_NAME,
        state_cls=CodeReviewState,
    )
    app.add_middleware(FrameGuard, idle_s=idle_s)
    app.title = "graderlib code review environment"
    add_routes(
        app,
        policy=RewardPolicy(),
        step_budget=step_budget_from_env(),
        max_concurrent_envs=max_envs,
        web=web,
        grade_route=_flag("GRADERLIB_GRADE_ROUTE", default=True),
    )
    if web:

        @app.get("/", include_in_schema=False)
        def root() -> RedirectResponse:
            return RedirectResponse(url="/web/")

        @app.get("/web", include_in_schema=False)
        def web_no_slash() -> RedirectResponse:
            return RedirectResponse(url="/web/")

        app.mount("/web", StaticFiles(directory=WEB_DIR, html=True), name="web")
    if _flag("GRADERLIB_BANDIT_HELPER", default=True):
        _run_bandit_helper(app)
    if catalog.tasks:
        # Load what the first step would load lazily, so that it is frozen with the rest.
        grade(catalog.tasks[0], [], RewardPolicy())
    freeze_heap()
    return app


def freeze_heap() -> None:
    """Move every object alive now out of the collector's generations (``gc.freeze``).

    The catalog, the detectors and the imported modules live as long as the server; a full
    collection that walks them is pure pause. Called when the app is built (in each worker:
    uvicorn spawns them, so each builds its own; a server that forks workers from a preloaded
    app hands them the frozen heap) and again once the lifespan has started. Never at a fork
    during serving: a freeze then would make every live session's cycles immortal.
    """
    gc.collect()
    gc.freeze()


def _run_bandit_helper(app: FastAPI) -> None:
    """Start bandit's helper process with the server and stop it with the server.

    Wraps the lifespan OpenEnv's app already has (Starlette's default, which runs startup
    and shutdown handlers and keeps no state). If the helper cannot start, the server still
    runs, with bandit in-process.
    """
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        try:
            await run_in_threadpool(start_bandit_worker)
        except ToolError as error:
            log.warning("bandit runs in-process: %s", error)
        try:
            async with inner(app):
                freeze_heap()
                yield
        finally:
            await run_in_threadpool(stop_bandit_worker)

    app.router.lifespan_context = lifespan


app = build_app()


def main() -> None:
    """``python -m env.server.app``: serve on $HOST:$PORT (127.0.0.1:8000)."""
    import uvicorn

    uvicorn.run(
        "env.server.app:app",
        host=os.environ.get("HOST", "127.0.0.1"),
        port=int(os.environ.get("PORT", "8000")),
        workers=int(os.environ.get("WORKERS", "1")),
    )


if __name__ == "__main__":
    main()
