"""Every error a service answers is application/problem+json, through a small FastAPI app."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Annotated

import httpx
import pytest
from fastapi import FastAPI, Header, HTTPException, Query
from pydantic import BaseModel, EmailStr

from portico.kit.observability import configure_logging, instrument_app
from portico.kit.problems import (
    NotFound,
    TooManyRequests,
    ValidationProblem,
    install_problem_handlers,
    problem_responses,
)

PROBLEM = "application/problem+json"


class Contact(BaseModel):
    email: EmailStr


class NewClient(BaseModel):
    name: str
    contacts: list[Contact]


def build_app() -> FastAPI:
    app = FastAPI()
    install_problem_handlers(app)
    instrument_app(app, "problems-test")

    @app.post("/clients", status_code=201)
    async def create(client: NewClient) -> NewClient:
        return client

    @app.get("/clients/{client_id}", responses=problem_responses(404))
    async def read(client_id: int) -> dict[str, int]:
        raise NotFound(f"No client with id {client_id}.", client_id=client_id)

    @app.get("/search")
    async def search(
        limit: Annotated[int, Query(le=100)] = 10,
        x_workspace: Annotated[int | None, Header()] = None,
    ) -> dict[str, int]:
        return {"limit": limit}

    @app.post("/invitations")
    async def invite() -> None:
        raise ValidationProblem.for_field("email", "is already invited", code="already_invited")

    @app.get("/busy")
    async def busy() -> None:
        raise TooManyRequests("Slow down.", retry_after=30)

    @app.get("/teapot")
    async def teapot() -> None:
        raise HTTPException(status_code=409, detail="Already sent.")

    @app.get("/boom")
    async def boom() -> None:
        raise RuntimeError("secret internal detail")

    return app


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    # raise_app_exceptions stays on: an exception escaping the app would fail the test.
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=build_app()), base_url="http://test"
    ) as client:
        yield client


async def test_a_validation_error_names_the_nested_field(http: httpx.AsyncClient) -> None:
    contacts = [{"email": "camille@example.com"}, {"email": "not-an-address"}]
    response = await http.post("/clients", json={"name": "Acme", "contacts": contacts})
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["type"] == "https://portico.dev/problems/validation-error"
    assert body["title"] == "Invalid input" and body["status"] == 422
    [error] = body["errors"]
    assert (error["field"], error["location"], error["code"]) == (
        "contacts.1.email",
        "body",
        "value_error",
    )
    assert "email" in error["message"]
    assert body["detail"].startswith("contacts.1.email: ")


async def test_query_header_and_missing_fields_say_where_they_were(
    http: httpx.AsyncClient,
) -> None:
    response = await http.get("/search", params={"limit": 500}, headers={"x-workspace": "abc"})
    errors = {(e["field"], e["location"]): e["code"] for e in response.json()["errors"]}
    assert errors == {
        ("limit", "query"): "less_than_equal",
        ("x-workspace", "header"): "int_parsing",
    }

    response = await http.get("/clients/abc")
    assert [(e["field"], e["location"]) for e in response.json()["errors"]] == [
        ("client_id", "path")
    ]

    response = await http.post("/clients", json={"contacts": []})
    assert [(e["field"], e["code"]) for e in response.json()["errors"]] == [("name", "missing")]


async def test_a_missing_body_is_an_error_of_the_whole_body(http: httpx.AsyncClient) -> None:
    response = await http.post("/clients")
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": None, "location": "body", "message": "Field required", "code": "missing"}
    ]


async def test_malformed_json_is_a_400_problem_not_a_500(http: httpx.AsyncClient) -> None:
    response = await http.post(
        "/clients", content=b'{"name": "Acme", ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["type"] == "https://portico.dev/problems/malformed-json"
    assert "not valid JSON" in body["detail"]


async def test_a_body_not_sent_as_json_is_a_415_problem(http: httpx.AsyncClient) -> None:
    response = await http.post("/clients", data={"name": "Acme"})
    assert response.status_code == 415
    assert response.json()["type"] == "https://portico.dev/problems/unsupported-media-type"


async def test_a_problem_raised_by_a_service_keeps_its_status_detail_and_members(
    http: httpx.AsyncClient,
) -> None:
    response = await http.get("/clients/7", headers={"X-Correlation-ID": "corr-7"})
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    assert response.json() == {
        "type": "https://portico.dev/problems/not-found",
        "title": "Not found",
        "status": 404,
        "detail": "No client with id 7.",
        "correlation_id": "corr-7",
        "client_id": 7,
    }


async def test_a_check_a_schema_cannot_make_names_its_field(http: httpx.AsyncClient) -> None:
    response = await http.post("/invitations")
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {
            "field": "email",
            "location": "body",
            "message": "is already invited",
            "code": "already_invited",
        }
    ]


async def test_too_many_requests_tells_when_to_come_back(http: httpx.AsyncClient) -> None:
    response = await http.get("/busy")
    assert response.status_code == 429
    assert response.headers["retry-after"] == "30"
    assert response.json()["type"] == "https://portico.dev/problems/too-many-requests"


async def test_an_http_exception_becomes_a_problem(http: httpx.AsyncClient) -> None:
    response = await http.get("/teapot")
    assert response.status_code == 409
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert (body["type"], body["detail"]) == (
        "https://portico.dev/problems/conflict",
        "Already sent.",
    )


async def test_an_unknown_route_is_a_404_problem(http: httpx.AsyncClient) -> None:
    response = await http.get("/nowhere")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == "https://portico.dev/problems/not-found"


async def test_a_wrong_method_is_a_405_problem_naming_the_allowed_ones(
    http: httpx.AsyncClient,
) -> None:
    response = await http.delete("/clients")
    assert response.status_code == 405
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["allow"] == "POST"
    assert response.json()["type"] == "https://portico.dev/problems/method-not-allowed"


async def test_an_unexpected_error_is_a_500_problem_and_a_logged_traceback(
    http: httpx.AsyncClient, capsys: pytest.CaptureFixture[str]
) -> None:
    configure_logging("portico-test", fmt="json", level="INFO")
    response = await http.get("/boom", headers={"X-Correlation-ID": "corr-boom"})
    assert response.status_code == 500
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["x-correlation-id"] == "corr-boom"
    body = response.json()
    assert body["type"] == "https://portico.dev/problems/internal-error"
    assert body["correlation_id"] == "corr-boom"
    assert "secret internal detail" not in response.text
    assert "Traceback" not in response.text and "RuntimeError" not in response.text

    lines = [json.loads(line) for line in capsys.readouterr().err.splitlines()]
    [logged] = [line for line in lines if line["event"] == "unhandled error"]
    assert logged["level"] == "error" and logged["route"] == "/boom"
    assert logged["service"] == "problems-test" and logged["correlation_id"] == "corr-boom"
    assert "Traceback" in logged["exception"] and "secret internal detail" in logged["exception"]


async def test_the_openapi_documents_problem_bodies(http: httpx.AsyncClient) -> None:
    schema = (await http.get("/openapi.json")).json()
    problem_ref = {"$ref": "#/components/schemas/ProblemDetail"}
    create = schema["paths"]["/clients"]["post"]["responses"]
    assert create["422"]["content"] == {PROBLEM: {"schema": problem_ref}}
    read = schema["paths"]["/clients/{client_id}"]["get"]["responses"]
    assert read["404"]["content"] == {PROBLEM: {"schema": problem_ref}}
    components = schema["components"]["schemas"]
    assert "HTTPValidationError" not in components
    assert {"type", "title", "status", "detail", "errors"} <= set(
        components["ProblemDetail"]["properties"]
    )
    assert {"field", "location", "message", "code"} <= set(components["FieldError"]["properties"])
