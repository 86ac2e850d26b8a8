"""Log lines, spans and context: what an operator reads when following a request or an event."""

from __future__ import annotations

import asyncio
import http.server
import json
import logging
import threading
import uuid
from collections.abc import Iterator

import httpx
import pytest
import structlog
from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from portico.kit.observability import (
    configure_logging,
    configure_tracing,
    current_correlation_id,
    current_traceparent,
    instrument_app,
)

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
PARENT_SPAN_ID = "00f067aa0ba902b7"
TRACEPARENT = f"00-{TRACE_ID}-{PARENT_SPAN_ID}-01"

log = structlog.get_logger("portico.test")
_exporter = InMemorySpanExporter()


@pytest.fixture(scope="module", autouse=True)
def tracing() -> None:
    configure_tracing("portico-test", otlp_endpoint=None)
    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)
    provider.add_span_processor(SimpleSpanProcessor(_exporter))


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    _exporter.clear()
    yield _exporter


def logged(capsys: pytest.CaptureFixture[str]) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().err.splitlines() if line]


def quotes_app(service: str = "quotes") -> FastAPI:
    app = FastAPI()
    instrument_app(app, service)

    @app.get("/quotes/{quote_id}")
    async def read(quote_id: str) -> dict[str, str | None]:
        log.info("quote read", quote_id=quote_id)
        # What the outbox stamps on an event emitted here.
        return {"traceparent": current_traceparent(), "correlation": current_correlation_id()}

    return app


def client_for(app: FastAPI) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


async def test_a_request_log_line_carries_service_trace_and_correlation(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("portico-test", fmt="json", level="INFO")
    async with client_for(quotes_app()) as http:
        response = await http.get(
            "/quotes/q-42", headers={"X-Correlation-ID": "corr-123", "traceparent": TRACEPARENT}
        )
    assert response.headers["x-correlation-id"] == "corr-123"
    [line] = [line for line in logged(capsys) if line["event"] == "quote read"]
    assert line["service"] == "quotes"
    assert line["correlation_id"] == "corr-123"
    assert line["trace_id"] == TRACE_ID
    assert len(line["span_id"]) == 16 and line["span_id"] != PARENT_SPAN_ID
    # An event emitted while handling the request continues its trace and correlation.
    assert response.json()["traceparent"].startswith(f"00-{TRACE_ID}-")
    assert response.json()["correlation"] == "corr-123"


async def test_a_correlation_id_is_made_when_none_or_an_unfit_one_is_given(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("portico-test", fmt="json", level="INFO")
    async with client_for(quotes_app()) as http:
        fresh = await http.get("/quotes/q-1")
        unfit = await http.get("/quotes/q-2", headers={"X-Correlation-ID": "x" * 500})
    made = fresh.headers["x-correlation-id"]
    assert uuid.UUID(made)
    assert (
        uuid.UUID(unfit.headers["x-correlation-id"]) and unfit.headers["x-correlation-id"] != made
    )
    [line] = [line for line in logged(capsys) if line.get("quote_id") == "q-1"]
    assert line["correlation_id"] == made


async def test_the_access_log_names_the_route_not_the_path(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("portico-test", fmt="json", level="INFO")
    secret = "k8Hq2wZ-capability-token"
    async with client_for(quotes_app()) as http:
        await http.get(f"/quotes/{secret}", headers={"X-Correlation-ID": "corr-access"})
    [access] = [line for line in logged(capsys) if line["event"] == "request handled"]
    assert access["route"] == "/quotes/{quote_id}" and access["status"] == 200
    assert access["method"] == "GET" and access["correlation_id"] == "corr-access"
    assert secret not in json.dumps(access)


async def test_services_sharing_a_process_log_and_trace_under_their_own_names(
    capsys: pytest.CaptureFixture[str], spans: InMemorySpanExporter
) -> None:
    configure_logging("portico", fmt="json", level="INFO")
    both_inside = asyncio.Barrier(2)

    def service_app(name: str) -> FastAPI:
        app = FastAPI()
        instrument_app(app, name)

        @app.get("/work/{item}")
        async def work(item: str) -> None:
            log.info("work started", item=item)
            await both_inside.wait()  # the two requests interleave on one loop
            log.info("work done", item=item)

        return app

    host = FastAPI()
    host.mount("/api/quotes", service_app("quotes"))
    host.mount("/api/signing", service_app("signing"))
    async with client_for(host) as http:
        await asyncio.gather(
            http.get("/api/quotes/work/a", headers={"X-Correlation-ID": "corr-a"}),
            http.get("/api/signing/work/b", headers={"X-Correlation-ID": "corr-b"}),
        )
    lines = [line for line in logged(capsys) if line["event"].startswith("work")]
    assert {(line["item"], line["service"], line["correlation_id"]) for line in lines} == {
        ("a", "quotes", "corr-a"),
        ("b", "signing", "corr-b"),
    }
    assert len(lines) == 4
    # One server span per request, named by its full route template, tagged with its service.
    servers = [span for span in spans.get_finished_spans() if span.kind == SpanKind.SERVER]
    assert sorted((span.name, _attribute(span, "portico.service")) for span in servers) == [
        ("GET /api/quotes/work/{item}", "quotes"),
        ("GET /api/signing/work/{item}", "signing"),
    ]


def test_outside_any_request_the_process_name_is_the_service(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("portico-worker", fmt="json", level="INFO")
    log.info("started")
    logging.getLogger("some.library").warning("from the standard library", extra={"attempt": 3})
    log.debug("below the level")
    started, library = logged(capsys)
    assert started["service"] == "portico-worker" and started["level"] == "info"
    assert "correlation_id" not in started and "trace_id" not in started
    assert library["event"] == "from the standard library"
    assert library["service"] == "portico-worker" and library["attempt"] == 3
    assert library["logger"] == "some.library" and library["level"] == "warning"


def test_configuring_again_replaces_rather_than_doubles(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("portico-a", fmt="json", level="INFO")
    configure_logging("portico-b", fmt="json", level="INFO")
    log.info("once")
    [line] = logged(capsys)
    assert line["service"] == "portico-b"


def test_console_lines_are_for_people(capsys: pytest.CaptureFixture[str]) -> None:
    configure_logging("portico-dev", fmt="console", level="INFO")
    log.info("started", port=8000)
    [line] = capsys.readouterr().err.splitlines()
    assert "started" in line and "port=8000" in line and "service=portico-dev" in line
    with pytest.raises(json.JSONDecodeError):
        json.loads(line)


class _Collector(http.server.BaseHTTPRequestHandler):
    received: list[tuple[str, str]] = []

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.received.append((self.path, self.headers["Content-Type"]))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *_: object) -> None:
        pass


def test_spans_are_exported_over_otlp_http_when_an_endpoint_is_given() -> None:
    # The collector lives as long as the test process: the exporter stays on the provider.
    collector = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Collector)
    threading.Thread(target=collector.serve_forever, daemon=True).start()
    endpoint = f"http://127.0.0.1:{collector.server_address[1]}"
    provider = trace.get_tracer_provider()

    configure_tracing("portico-test", otlp_endpoint=endpoint)
    configure_tracing("portico-test", otlp_endpoint=endpoint)
    assert trace.get_tracer_provider() is provider
    with trace.get_tracer("test").start_as_current_span("exported"):
        pass
    assert isinstance(provider, TracerProvider) and provider.force_flush()
    assert _Collector.received == [("/v1/traces", "application/x-protobuf")]


def _attribute(span: ReadableSpan, name: str) -> object:
    return (span.attributes or {}).get(name)


def test_a_library_line_keeps_its_extras_but_not_a_coloured_copy_of_its_message(
    capsys: pytest.CaptureFixture[str],
) -> None:
    configure_logging("portico-test", fmt="json", level="INFO")
    logging.getLogger("uvicorn.error").info(
        "Started server process [%d]",
        42,
        extra={"color_message": "Started server process [\x1b[36m%d\x1b[0m]", "worker": 1},
    )
    [line] = [line for line in logged(capsys) if line["event"].startswith("Started server")]
    assert line["event"] == "Started server process [42]"
    assert line["worker"] == 1
    assert "color_message" not in line
