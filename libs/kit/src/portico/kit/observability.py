"""Logs (structlog), traces (OpenTelemetry) and request metrics for every process.

Log lines carry ``service``, ``trace_id`` and ``correlation_id``. In the embedded mode
several services share one process, so ``service`` comes from the request's or the
handler's context (``portico.kit.context``), with the process's name as fallback.
"""

from __future__ import annotations

import logging
import sys
import time
import uuid
from typing import Any, Literal

import structlog
from fastapi import FastAPI
from opentelemetry import trace
from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from portico.kit import context
from portico.kit.metrics import HTTP_REQUEST_SECONDS, HTTP_REQUESTS

CORRELATION_HEADER = "x-correlation-id"
_process_name = "portico"


def _add_context(_: Any, __: str, event: dict[str, Any]) -> dict[str, Any]:
    event.setdefault("service", context.current_service.get() or _process_name)
    correlation = context.correlation_id.get()
    if correlation:
        event.setdefault("correlation_id", correlation)
    span_context = trace.get_current_span().get_span_context()
    if span_context.is_valid:
        event.setdefault("trace_id", format(span_context.trace_id, "032x"))
        event.setdefault("span_id", format(span_context.span_id, "016x"))
    return event


def configure_logging(
    process_name: str, *, fmt: Literal["auto", "json", "console"] = "auto", level: str = "INFO"
) -> None:
    """Route structlog and the standard library's logging through one renderer."""
    global _process_name
    _process_name = process_name
    as_json = fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _add_context,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if as_json
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            *([structlog.processors.format_exc_info] if as_json else []),
            renderer,
        ],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    for noisy in ("aiormq", "aio_pika", "botocore", "boto3", "urllib3", "werkzeug"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    logging.getLogger("uvicorn.access").disabled = True


def configure_tracing(process_name: str, otlp_endpoint: str | None) -> None:
    """One tracer provider per process; spans are exported over OTLP/HTTP when configured."""
    if isinstance(trace.get_tracer_provider(), TracerProvider):
        return
    provider = TracerProvider(resource=Resource.create({"service.name": process_name}))
    if otlp_endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        provider.add_span_processor(
            BatchSpanProcessor(OTLPSpanExporter(endpoint=f"{otlp_endpoint.rstrip('/')}/v1/traces"))
        )
    trace.set_tracer_provider(provider)


def instrument_app(app: FastAPI, service: str) -> None:
    app.add_middleware(RequestContextMiddleware, service=service)
    FastAPIInstrumentor.instrument_app(
        app, excluded_urls="healthz,readyz,metrics", exclude_spans=["receive", "send"]
    )


class RequestContextMiddleware:
    """Sets the service and correlation id of a request, and records its metrics."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        given = headers.get(CORRELATION_HEADER.encode(), b"").decode("latin-1")[:100]
        correlation = given or str(uuid.uuid4())
        status = 500
        started = time.perf_counter()

        async def send_with_correlation(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [
                    *message["headers"],
                    (CORRELATION_HEADER.encode(), correlation.encode("latin-1")),
                ]
            await send(message)

        with context.bound(service=self.service, correlation=correlation):
            try:
                await self.app(scope, receive, send_with_correlation)
            finally:
                route = scope.get("route")
                template = getattr(route, "path", None) or "unmatched"
                method = scope.get("method", "GET")
                HTTP_REQUESTS.labels(self.service, method, template, str(status)).inc()
                HTTP_REQUEST_SECONDS.labels(self.service, method, template).observe(
                    time.perf_counter() - started
                )
