"""The routes this environment adds to OpenEnv's: ``GET /tasks``, ``POST /grade``, ``GET /config``.

They keep no state: each request reads the cached, read-only task catalog and calls graderlib,
exactly as an episode does. Every answer is built from public data (``public_summary``) or a
*redacted* grade report, so none of them can reveal ground truth an agent has not earned.
Bad requests get a 4xx with a message naming what was wrong, never a 500.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from env.models import MAX_FINDINGS_PER_ACTION, MAX_LINE, MAX_PATCH_CHARS, MAX_TEXT_CHARS
from env.server.catalog import (
    DIFFICULTIES,
    SPLITS,
    Catalog,
    TaskSelectionError,
    public_report,
)
from env.server.catalog import public_summary as public_task
from graderlib import (
    MAX_FINDINGS_PER_EPISODE,
    EpisodeError,
    FindingsError,
    RewardPolicy,
    default_taxonomy,
    grade,
    parse_findings,
)

MAX_GRADE_BODY_BYTES = 2_000_000
MAX_GRADE_FINDINGS = 1_000


class GradeRequest(BaseModel):
    """``POST /grade``: one task id (public or author id) and the findings to grade."""

    model_config = ConfigDict(extra="forbid")

    task_id: str = Field(min_length=1, max_length=200)
    findings: list[Any] = Field(max_length=MAX_GRADE_FINDINGS)


def grade_body_schema(example_task_id: str) -> dict[str, Any]:
    """The OpenAPI request body of ``POST /grade``, with a well-formed example.

    The route reads its body itself (to bound its size before parsing), so FastAPI cannot
    infer it; publishing it lets clients and schemathesis send well-formed findings. The
    example names a task by its public id and a category unrelated to that task's answers.
    """
    lines = {"type": "integer", "minimum": 1, "maximum": MAX_LINE}
    text = {"type": "string", "maxLength": MAX_TEXT_CHARS}
    finding = {
        "type": "object",
        "additionalProperties": False,
        "required": ["line", "category"],
        "properties": {
            "line": lines,
            "end_line": lines,
            "category": {"type": "string", "enum": list(default_taxonomy().ids)},
            "severity": {"type": "string", "enum": ["critical", "high", "medium", "low"]},
            "message": text,
            "recommendation": text,
            "rule_id": {"type": "string", "maxLength": 300},
        },
    }
    body = {
        "type": "object",
        "additionalProperties": False,
        "required": ["task_id", "findings"],
        "properties": {
            "task_id": {"type": "string", "minLength": 1, "maxLength": 200},
            "findings": {"type": "array", "maxItems": MAX_GRADE_FINDINGS, "items": finding},
        },
    }
    example = {
        "task_id": example_task_id,
        "findings": [{"line": 1, "category": "sql-injection", "message": "input reaches SQL"}],
    }
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": body, "example": example}},
        }
    }


def _validation_message(error: ValidationError) -> str:
    parts = []
    for item in error.errors()[:5]:
        where = ".".join(str(p) for p in item["loc"]) or "body"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


_DRAIN_LIMIT = 32 * 1024 * 1024


async def _read_json_body(request: Request, limit: int) -> Any:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        # Read (and drop) a moderately oversized body before answering: closing the socket
        # while the client is still sending makes it see a broken pipe instead of our 413.
        if int(declared) <= _DRAIN_LIMIT:
            async for _ in request.stream():
                pass
        raise HTTPException(413, f"request body is {declared} bytes (limit {limit})")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise HTTPException(413, f"request body is over {limit} bytes")
    try:
        return json.loads(body)
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise HTTPException(400, f"request body is not JSON: {error}") from None
    except RecursionError:  # json's C decoder recurses once per level
        raise HTTPException(400, "request body is nested too deeply") from None


def add_routes(
    app: FastAPI,
    *,
    catalog: Catalog,
    policy: RewardPolicy,
    step_budget: int,
    max_concurrent_envs: int,
    web: bool,
    grade_route: bool = True,
) -> None:
    """Register the extra routes and turn environment errors on HTTP into 4xx answers.

    ``POST /grade`` answers for free what an episode charges for (which findings match), so a
    server that trains agents who can reach it should turn it off (``grade_route=False``).
    """

    @app.get("/tasks", tags=["Tasks"], summary="Every task, without its answers")
    def list_tasks() -> dict[str, Any]:
        return {
            "count": len(catalog.tasks),
            "categories": list(default_taxonomy().ids),
            "tasks": [public_task(t) for t in catalog.tasks],
        }

    async def grade_findings(request: Request) -> dict[str, Any]:
        raw = await _read_json_body(request, MAX_GRADE_BODY_BYTES)
        try:
            body = GradeRequest.model_validate(raw)
        except ValidationError as error:
            raise HTTPException(422, _validation_message(error)) from None
        task = catalog.find(body.task_id)
        if task is None:
            raise HTTPException(404, f"unknown task_id {body.task_id[:100]!r} (see GET /tasks)")
        try:
            findings = parse_findings(body.findings)
        except FindingsError as error:
            raise HTTPException(422, str(error)[:2000]) from None
        report = grade(task, findings, policy)
        return public_report(task, report).model_dump(mode="json")

    if grade_route:
        tasks = catalog.tasks
        app.add_api_route(
            "/grade",
            grade_findings,
            methods=["POST"],
            tags=["Tasks"],
            summary="Grade findings against a task (redacted report)",
            openapi_extra=grade_body_schema(tasks[0].public_id if tasks else "task-0"),
        )

    @app.get("/config", tags=["Tasks"], summary="How this server is configured")
    def config() -> dict[str, Any]:
        return {
            "env_name": "code_review",
            "step_budget": step_budget,
            "max_concurrent_envs": max_concurrent_envs,
            "web_interface": web,
            "grade_route": grade_route,
            "tasks": len(catalog.tasks),
            "splits": {s: sum(t.split == s for t in catalog.tasks) for s in SPLITS},
            "difficulties": {
                d: sum(t.difficulty == d for t in catalog.tasks) for d in DIFFICULTIES
            },
            "reward_policy": policy.model_dump(mode="json"),
            "limits": {
                "findings_per_action": MAX_FINDINGS_PER_ACTION,
                "findings_per_episode": MAX_FINDINGS_PER_EPISODE,
                "text_chars": MAX_TEXT_CHARS,
                "patch_chars": MAX_PATCH_CHARS,
                "grade_findings": MAX_GRADE_FINDINGS,
                "grade_body_bytes": MAX_GRADE_BODY_BYTES,
            },
        }

    async def refused(request: Request, error: Exception) -> JSONResponse:
        # OpenEnv's HTTP /reset and /step build a fresh environment per request, so a
        # step there has no episode; say so instead of answering 500.
        status = 409 if isinstance(error, EpisodeError) else 400
        detail = str(error)
        if isinstance(error, EpisodeError) and request.url.path == "/step":
            detail += " (HTTP /step is stateless in OpenEnv: run episodes over the WebSocket /ws)"
        return JSONResponse({"detail": detail}, status_code=status)

    app.add_exception_handler(EpisodeError, refused)
    app.add_exception_handler(TaskSelectionError, refused)
    app.add_exception_handler(ValueError, refused)
