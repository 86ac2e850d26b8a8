"""Log lines carry the service, the trace and the correlation id of their request."""

from __future__ import annotations

import io
import json
import logging

import httpx
import structlog
from fastapi import FastAPI

from portico.kit.observability import configure_logging, configure_tracing, instrument_app


def capture_logs(process_name: str) -> io.StringIO:
    configure_logging(process_name, fmt="json", level="INFO")
    buffer = io.StringIO()
    handler = logging.getLogger().handlers[0]
    assert isinstance(handler, logging.StreamHandler)
    handler.setStream(buffer)
    return buffer


def lines_of(buffer: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in buffer.getvalue().splitlines()]


async def test_a_request_log_line_has_service_trace_and_correlation() -> None:
    configure_tracing("portico-test", otlp_endpoint=None)
    buffer = capture_logs("portico-test")
    app = FastAPI()
    instrument_app(app, "quotes")
    log = structlog.get_logger("test")

    @app.get("/quotes/{quote_id}")
    async def read(quote_id: str) -> dict[str, str]:
        log.info("quote read", quote_id=quote_id)
        return {"id": quote_id}

    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://t"
    ) as http:
        response = await http.get("/quotes/q-42", headers={"X-Correlation-ID": "corr-123"})
        generated = await http.get("/quotes/q-43")
    assert response.headers["x-correlation-id"] == "corr-123"
    assert len(generated.headers["x-correlation-id"]) == 36
    lines = lines_of(buffer)
    [line] = [line for line in lines if line.get("quote_id") == "q-42"]
    assert line["service"] == "quotes"
    assert line["correlation_id"] == "corr-123"
    assert len(line["trace_id"]) == 32 and int(line["trace_id"], 16) != 0
    [other] = [line for line in lines if line.get("quote_id") == "q-43"]
    assert other["trace_id"] != line["trace_id"]
    assert other["correlation_id"] == generated.headers["x-correlation-id"]


def test_outside_any_request_the_process_name_is_the_service() -> None:
    buffer = capture_logs("portico-worker")
    structlog.get_logger("test").info("started")
    logging.getLogger("stdlib.library").warning("from the standard library")
    [started, stdlib] = lines_of(buffer)
    assert started["service"] == "portico-worker"
    assert "correlation_id" not in started
    assert stdlib["event"] == "from the standard library"
    assert stdlib["service"] == "portico-worker"
