"""problem+json errors and the health endpoints, through a small FastAPI app."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel, EmailStr

from portico.kit.health import health_router
from portico.kit.observability import instrument_app
from portico.kit.problems import NotFound, install_problem_handlers


class Contact(BaseModel):
    email: EmailStr


class Client(BaseModel):
    name: str
    contacts: list[Contact]


def build_app(checks: dict | None = None) -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    instrument_app(app, "testsvc")
    app.include_router(health_router(checks or {}))

    @app.post("/clients")
    async def create(client: Client) -> Client:
        return client

    @app.get("/clients/{client_id}")
    async def read(client_id: int) -> dict[str, int]:
        raise NotFound(f"No client with id {client_id}.")

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internal detail")

    return app


@pytest.fixture
async def http() -> httpx.AsyncClient:
    transport = httpx.ASGITransport(app=build_app(), raise_app_exceptions=False)
    return httpx.AsyncClient(transport=transport, base_url="http://test")


async def test_a_validation_error_names_the_nested_field(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/clients",
        json={"name": "Acme", "contacts": [{"email": "camille@example.com"}, {"email": "nope"}]},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert body["type"].endswith("/validation-error")
    assert [(e["field"], e["location"]) for e in body["errors"]] == [("contacts.1.email", "body")]
    assert "contacts.1.email" in body["detail"]


async def test_a_wrong_path_parameter_names_it(http: httpx.AsyncClient) -> None:
    response = await http.get("/clients/abc")
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "client_id"
    assert response.json()["errors"][0]["location"] == "path"


async def test_malformed_json_is_a_client_error_not_a_500(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/clients", content=b'{"name": "Acme", ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert "malformed JSON" in response.json()["detail"]


async def test_a_domain_problem_keeps_its_status_and_detail(http: httpx.AsyncClient) -> None:
    response = await http.get("/clients/7")
    assert response.status_code == 404
    assert response.json() == {
        "type": "https://portico.dev/problems/not-found",
        "title": "Not found",
        "status": 404,
        "detail": "No client with id 7.",
        "instance": "/clients/7",
    }


async def test_an_unknown_route_is_a_404_problem(http: httpx.AsyncClient) -> None:
    response = await http.get("/nowhere")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_an_unexpected_error_is_a_500_problem_without_internals(
    http: httpx.AsyncClient,
) -> None:
    response = await http.get("/boom")
    assert response.status_code == 500
    assert response.headers["content-type"] == "application/problem+json"
    assert "secret internal detail" not in response.text
    assert "Traceback" not in response.text


async def test_readiness_reports_each_check_and_fails_on_a_broken_or_hanging_one() -> None:
    async def ok() -> bool:
        return True

    async def broken() -> bool:
        raise ConnectionError("down")

    async def hanging() -> bool:
        await asyncio.sleep(30)
        return True

    healthy = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=build_app({"database": ok, "bus": ok})),
        base_url="http://t",
    )
    response = await healthy.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "checks": {"database": "ok", "bus": "ok"}}

    sick = httpx.AsyncClient(
        transport=httpx.ASGITransport(
            app=build_app({"database": ok, "bus": broken, "store": hanging})
        ),
        base_url="http://t",
    )
    response = await sick.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "bus": "failing", "store": "failing"}
    assert "bus" in response.json()["detail"] and "store" in response.json()["detail"]
    assert (await sick.get("/healthz")).json() == {"status": "ok"}


async def test_metrics_count_requests_by_route_template(http: httpx.AsyncClient) -> None:
    await http.get("/clients/41")
    metrics = (await http.get("/metrics")).text
    assert (
        'portico_http_requests_total{method="GET",route="/clients/{client_id}",'
        'service="testsvc",status="404"}'
    ) in metrics
    assert "/clients/41" not in metrics
