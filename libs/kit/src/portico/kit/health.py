"""Liveness, readiness and Prometheus metrics: the endpoints every Portico process serves."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import Literal

import structlog
from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from prometheus_client import REGISTRY
from prometheus_client.exposition import choose_encoder
from pydantic import BaseModel

from portico.kit.problems import ServiceUnavailable, problem_responses

log = structlog.get_logger(__name__)

Check = Callable[[], Awaitable[bool]]
CheckOutcome = Literal["ok", "failing", "timed out"]
CHECK_TIMEOUT = 2.0


class Alive(BaseModel):
    status: Literal["ok"] = "ok"


class Ready(BaseModel):
    status: Literal["ready"] = "ready"
    checks: dict[str, CheckOutcome]


def health_router(checks: Mapping[str, Check], *, timeout: float = CHECK_TIMEOUT) -> APIRouter:
    """``/healthz`` (the process serves), ``/readyz`` (each named check answers within
    ``timeout`` seconds; they run concurrently) and ``/metrics``."""
    router = APIRouter()

    @router.get("/healthz", summary="The process is alive")
    async def healthz() -> Alive:
        return Alive()

    @router.get(
        "/readyz",
        summary="The database, the bus and the store answer",
        response_model=Ready,
        responses=problem_responses(503),
    )
    async def readyz() -> Ready | JSONResponse:
        outcomes = await asyncio.gather(
            *(_run(name, check, timeout) for name, check in checks.items())
        )
        report = dict(zip(checks, outcomes, strict=True))
        failing = [name for name, outcome in report.items() if outcome != "ok"]
        if not failing:
            return Ready(checks=report)
        problem = ServiceUnavailable(f"Not ready: {', '.join(failing)}.", checks=report)
        return problem.response()

    @router.get("/metrics", summary="Prometheus metrics", response_class=Response)
    async def metrics(request: Request) -> Response:
        # Prometheus asks for OpenMetrics; curl and older scrapers get the text format.
        encode, content_type = choose_encoder(request.headers.get("accept", ""))
        return Response(encode(REGISTRY), media_type=content_type)

    return router


async def _run(name: str, check: Check, limit: float) -> CheckOutcome:
    # Why a check failed goes to the log only: the answer is public, the reason may not be.
    try:
        async with asyncio.timeout(limit):
            passed = await check()
    except TimeoutError:
        log.warning("readiness check timed out", check=name, limit_seconds=limit)
        return "timed out"
    except Exception as exc:
        # One line, no traceback: probes ask every few seconds while a backend is down.
        log.warning("readiness check failed", check=name, error=repr(exc))
        return "failing"
    if not passed:
        log.warning("readiness check failed", check=name)
    return "ok" if passed else "failing"
