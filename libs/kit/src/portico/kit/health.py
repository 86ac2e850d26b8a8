"""Liveness, readiness and Prometheus metrics endpoints of every process."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from portico.kit.problems import MEDIA_TYPE, ServiceUnavailable, problem_responses

Check = Callable[[], Awaitable[bool]]
CHECK_TIMEOUT = 2.0


async def _run(check: Check) -> bool:
    try:
        return bool(await asyncio.wait_for(check(), CHECK_TIMEOUT))
    except Exception:
        return False


def health_router(checks: Mapping[str, Check]) -> APIRouter:
    router = APIRouter()

    @router.get("/healthz", summary="The process is alive")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get(
        "/readyz",
        summary="The database, the bus and the store answer",
        responses=problem_responses(503),
    )
    async def readyz() -> JSONResponse:
        names = list(checks)
        results = await asyncio.gather(*(_run(checks[name]) for name in names))
        report = {name: "ok" if ok else "failing" for name, ok in zip(names, results, strict=True)}
        if all(results):
            return JSONResponse({"status": "ready", "checks": report})
        failing = [name for name, ok in zip(names, results, strict=True) if not ok]
        problem = ServiceUnavailable(f"Not ready: {', '.join(failing)}", checks=report)
        return JSONResponse(problem.body(), status_code=503, media_type=MEDIA_TYPE)

    @router.get("/metrics", summary="Prometheus metrics", response_class=Response)
    async def metrics() -> Response:
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router
