"""/healthz, /readyz and /metrics, as an orchestrator and a Prometheus server see them."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from portico.kit.health import Check, health_router
from portico.kit.observability import instrument_app
from portico.kit.problems import NotFound, install_problem_handlers


async def ok() -> bool:
    return True


async def refuses() -> bool:
    return False


async def broken() -> bool:
    raise ConnectionError("connection refused by 10.0.0.7:5672")


async def hangs() -> bool:
    await asyncio.sleep(30)
    return True


def build_app(checks: dict[str, Check], *, service: str = "health-test") -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    instrument_app(app, service)
    app.include_router(health_router(checks, timeout=0.2))

    @app.get("/clients/{client_id}")
    async def read(client_id: int) -> None:
        raise NotFound()

    return app


def client_for(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


@pytest.fixture
async def sick() -> AsyncIterator[httpx.AsyncClient]:
    checks = {"database": ok, "bus": broken, "store": hangs, "mail": refuses}
    async with client_for(build_app(checks)) as client:
        yield client


async def test_ready_when_every_check_passes() -> None:
    async with client_for(build_app({"database": ok, "bus": ok})) as http:
        response = await http.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": "ok", "bus": "ok"}}


async def test_not_ready_names_each_failed_check(sick: httpx.AsyncClient) -> None:
    started = time.perf_counter()
    response = await sick.get("/readyz")
    elapsed = time.perf_counter() - started
    assert response.status_code == 503
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == "https://portico.dev/problems/unavailable"
    assert body["checks"] == {
        "database": "ok",
        "bus": "failing",
        "store": "timed out",
        "mail": "failing",
    }
    assert body["detail"] == "Not ready: bus, store, mail."
    # The reason stays in the logs: the answer is seen by whoever can reach the port.
    assert "10.0.0.7" not in response.text
    # A hanging check costs its timeout, not 30 seconds.
    assert elapsed < 2


async def test_checks_run_concurrently() -> None:
    checks: dict[str, Check] = {f"slow-{n}": hangs for n in range(5)}
    async with client_for(build_app(checks)) as http:
        started = time.perf_counter()
        response = await http.get("/readyz")
        elapsed = time.perf_counter() - started
    assert response.status_code == 503
    assert set(response.json()["checks"].values()) == {"timed out"}
    assert elapsed < 0.2 * 3  # five checks of 0.2 s each, run side by side


async def test_alive_even_when_not_ready(sick: httpx.AsyncClient) -> None:
    response = await sick.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


async def test_metrics_count_requests_by_route_template() -> None:
    async with client_for(build_app({}, service="metrics-test")) as http:
        await http.get("/clients/41")
        await http.get("/clients/42")
        await http.get("/nowhere/43")
        response = await http.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    metrics = response.text
    assert (
        'portico_http_requests_total{method="GET",route="/clients/{client_id}",'
        'service="metrics-test",status="404"} 2.0'
    ) in metrics
    assert (
        'portico_http_requests_total{method="GET",route="unmatched",'
        'service="metrics-test",status="404"} 1.0'
    ) in metrics
    assert (
        'portico_http_request_seconds_count{method="GET",route="/clients/{client_id}",'
        'service="metrics-test"} 2.0'
    ) in metrics
    assert "/clients/41" not in metrics and "/nowhere" not in metrics


async def test_metrics_speak_openmetrics_to_prometheus() -> None:
    async with client_for(build_app({})) as http:
        response = await http.get(
            "/metrics", headers={"Accept": "application/openmetrics-text; version=1.0.0"}
        )
    assert response.headers["content-type"].startswith("application/openmetrics-text")
    assert response.text.rstrip().endswith("# EOF")
