"""The FastAPI app: OpenEnv's server for :class:`CodeReviewEnvironment`, plus our routes and page.

Run it with ``make serve`` or ``uvicorn env.server.app:app`` from the repository root.

Its settings (session limit, task corpus, step budget, web page, ``/grade`` route, bandit's
helper process, the task-id key, host/port/workers) are one :class:`graderlib.Settings`, read
from environment variables once; the README's environment table lists them. ``build_app``
takes the settings to use, so every session of one app agrees on them. The bandit helper,
on by default, makes each patch check ~5-10 ms faster (see ``graderlib.detectors.worker``).

Every ``/ws`` frame passes :class:`~env.server.frames.FrameGuard` before OpenEnv's handler:
a malformed frame costs one error frame, never the session, and a session idle for
``settings.session_idle_s`` is closed with an error frame and its slot freed.

Once the catalog and the detectors are loaded, the heap is frozen (``gc.freeze()``): the
~200k objects that live as long as the server leave the collector's view, so a full
collection no longer walks them (it took ~115 ms, the p99 of a step under load).

Why ``create_fastapi_app`` and not ``create_app``: ``create_app`` is a thin switch that, when
``ENABLE_WEB_INTERFACE`` is set, builds OpenEnv's Gradio UI, and that UI drives ONE shared
environment instance for every browser (``/web/reset`` and ``/web/step``). A review episode
must belong to one person, so we always build the plain OpenEnv app (the branch ``create_app``
takes without the flag, same arguments) and serve our own page, which opens its own ``/ws``
session per browser tab. The environment is passed as a factory (never an instance), so the
server constructs one per session.
"""

from __future__ import annotations

import functools
import gc
import logging
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
from env.server.catalog import Catalog, load_catalog
from env.server.environment import ENV_NAME, CodeReviewEnvironment
from env.server.frames import FrameGuard
from env.server.routes import add_routes
from graderlib import (
    RewardPolicy,
    Settings,
    ToolError,
    get_settings,
    grade,
    start_bandit_worker,
    stop_bandit_worker,
)

WEB_DIR = Path(__file__).parent / "web"
log = logging.getLogger(__name__)


def build_app(settings: Settings | None = None) -> FastAPI:
    """A fresh app under ``settings`` (default: the process's, from its environment)."""
    settings = settings or get_settings()
    # fail at startup, with the task's file:line, if the corpus does not load
    catalog = load_catalog(settings.tasks_dir)
    policy = RewardPolicy()
    # A factory, not the bare class, so each session's environment gets these settings.
    make_environment = functools.partial(
        CodeReviewEnvironment, catalog=catalog, policy=policy, step_budget=settings.step_budget
    )
    app: FastAPI = create_fastapi_app(
        make_environment,
        CodeReviewAction,
        CodeReviewObservation,
        # OpenEnv's reaper frees idle slots too; FrameGuard closes the socket and says why.
        concurrency_config=ConcurrencyConfig(
            max_concurrent_envs=settings.max_concurrent_envs,
            session_timeout=settings.session_idle_s,
        ),
        env_name=ENV_NAME,
        state_cls=CodeReviewState,
    )
    app.add_middleware(FrameGuard, idle_s=settings.session_idle_s)
    app.title = "graderlib code review environment"
    add_routes(
        app,
        catalog=catalog,
        policy=policy,
        step_budget=settings.step_budget,
        max_concurrent_envs=settings.max_concurrent_envs,
        web=settings.web_interface,
        grade_route=settings.grade_route,
    )
    if settings.web_interface:

        @app.get("/", include_in_schema=False)
        def root() -> RedirectResponse:
            return RedirectResponse(url="/web/")

        @app.get("/web", include_in_schema=False)
        def web_no_slash() -> RedirectResponse:
            return RedirectResponse(url="/web/")

        app.mount("/web", StaticFiles(directory=WEB_DIR, html=True), name="web")
    if settings.bandit_helper:
        _run_bandit_helper(app)
    _warm_up(catalog, policy)
    freeze_heap()
    return app


def _warm_up(catalog: Catalog, policy: RewardPolicy) -> None:
    """Grade two findings once, so that what the first ``report`` loads lazily is frozen too.

    Two findings that reach the same issue go to the Hungarian solver, whose module
    (scipy.optimize, ~0.3 s and thousands of objects) is imported on first use. Left to the
    first step, it would stay in the collector's view for the server's life and the first
    steps of every session would wait on the import lock. An empty list reaches no solver.
    """
    task = next((t for t in catalog.tasks if t.issues), None)
    if task is None:
        return
    issue = task.issues[0]
    grade(
        task,
        [
            {"line": issue.span.start, "category": issue.category, "message": "warm-up"},
            {
                "line": issue.span.start,
                "end_line": issue.span.end + 1,
                "category": issue.category,
                "message": "warm-up, wider",
            },
        ],
        policy,
    )


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

    settings = get_settings()
    uvicorn.run(
        "env.server.app:app",
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        ws_per_message_deflate=False,  # as `make serve` (README, environment section)
    )


if __name__ == "__main__":
    main()
