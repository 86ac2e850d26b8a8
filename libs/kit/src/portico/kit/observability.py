"""Logs, traces and request metrics for every Portico process.

Where a log line comes from is read from context variables at the moment it is written,
never from loggers or globals bound at start-up. In the embedded mode one process and one
event loop run every service: a request to the quotes API, a signing handler and the
portal's outbox relay interleave on the same loop and share module-level loggers. Each
asyncio task runs in its own copy of the context, so the value set for a request (by the
middleware of ``instrument_app``), for a consumed event (the inbox's ``Consumer``) or for a
background loop (``bind_context(service=...)`` around ``asyncio.create_task``) follows that
work and nothing else. The service name given to ``configure_logging`` is only the fallback
for lines written outside any of them (start-up, shutdown).

``trace_id`` and ``span_id`` come from the current OpenTelemetry span the same way: the
server span FastAPI opens for each request, or the consumer span of an event.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Literal

import structlog
from fastapi import FastAPI
from opentelemetry import propagate, trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from structlog.typing import EventDict

from portico.kit.metrics import HTTP_REQUEST_SECONDS, HTTP_REQUESTS

current_service: ContextVar[str | None] = ContextVar("portico_service", default=None)
correlation_id: ContextVar[str | None] = ContextVar("portico_correlation_id", default=None)
causation_id: ContextVar[str | None] = ContextVar("portico_causation_id", default=None)

CORRELATION_HEADER = "X-Correlation-ID"
# What a caller may send as a correlation id; anything else is replaced, so a header
# cannot smuggle line breaks or megabytes into every log line.
_CORRELATION_PATTERN = re.compile(r"[A-Za-z0-9._:\-]{1,128}")
_PROBE_ROUTES = frozenset({"/healthz", "/readyz", "/metrics"})
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_QUIET_LOGGERS = ("aiormq", "aio_pika", "botocore", "boto3", "urllib3", "werkzeug")

log = structlog.get_logger(__name__)
_tracer = trace.get_tracer("portico.kit")

_process_service = "portico"
_exporting_to: set[str] = set()


# Context -----------------------------------------------------------------------------


@contextmanager
def bind_context(
    *, service: str | None = None, correlation: str | None = None, causation: str | None = None
) -> Iterator[None]:
    """Set who is working and on what behalf for a block (a request, a handler, a loop)."""
    tokens = [
        (var, var.set(value))
        for var, value in (
            (current_service, service),
            (correlation_id, correlation),
            (causation_id, causation),
        )
        if value is not None
    ]
    try:
        yield
    finally:
        for var, token in reversed(tokens):
            var.reset(token)


def current_correlation_id() -> str | None:
    return correlation_id.get()


def current_causation_id() -> str | None:
    return causation_id.get()


def current_traceparent() -> str | None:
    """The W3C traceparent of the current span, to stamp on an emitted event."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get("traceparent")


# Logging -----------------------------------------------------------------------------


def _add_context(_: Any, __: str, event: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    event.setdefault("service", current_service.get() or _process_service)
    for key, var in (("correlation_id", correlation_id), ("causation_id", causation_id)):
        value = var.get()
        if value:
            event.setdefault(key, value)
    span_context = trace.get_current_span().get_span_context()
    if span_context.is_valid:
        event.setdefault("trace_id", format(span_context.trace_id, "032x"))
        event.setdefault("span_id", format(span_context.span_id, "016x"))
    return event


class _PorticoLogHandler(logging.Handler):
    """Writes to whatever ``sys.stderr`` is now (test runners swap it) and marks our handler,
    so configuring again replaces it instead of doubling every line."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            sys.stderr.write(self.format(record) + "\n")
        except Exception:
            self.handleError(record)


def _drop_colour_copies(_logger: Any, _method: str, event: EventDict) -> EventDict:
    # uvicorn passes a copy of its message with terminal colour codes as an "extra";
    # the renderer colours lines itself, and a JSON line has no use for escape codes.
    event.pop("color_message", None)
    return event


def configure_logging(
    service: str, *, fmt: Literal["auto", "json", "console"] = "auto", level: str = "INFO"
) -> None:
    """Route structlog and the standard library's loggers through one renderer.

    JSON when asked, or when ``auto`` and stderr is not a terminal (a container, a file);
    readable console lines otherwise. Logs go to stderr so that commands printing data on
    stdout stay usable in pipes. Calling it again reconfigures; it never adds a handler.
    """
    global _process_service
    _process_service = service
    as_json = fmt == "json" or (fmt == "auto" and not sys.stderr.isatty())
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        _add_context,
    ]
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *shared,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        # Not cached: a logger first used before this call (an import-time line, a test)
        # would keep the old configuration for the life of the process.
        cache_logger_on_first_use=False,
    )
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if as_json
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    handler = _PorticoLogHandler()
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[*shared, structlog.stdlib.ExtraAdder(), _drop_colour_copies],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                *([structlog.processors.format_exc_info] if as_json else []),
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    for previous in [h for h in root.handlers if isinstance(h, _PorticoLogHandler)]:
        root.removeHandler(previous)
    root.addHandler(handler)
    root.setLevel(level.upper())
    logging.captureWarnings(True)
    for name in _QUIET_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    # Requests are logged by instrument_app's middleware, with their context.
    logging.getLogger("uvicorn.access").disabled = True


# Tracing -----------------------------------------------------------------------------


def configure_tracing(service: str, otlp_endpoint: str | None) -> None:
    """One tracer provider per process, exporting over OTLP/HTTP when an endpoint is given.

    OpenTelemetry lets a process set its provider once; later calls (embedded mode starts
    several services in one process, tests configure repeatedly) reuse it and only add an
    exporter for an endpoint not exported to yet.
    """
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        trace.set_tracer_provider(
            TracerProvider(
                resource=Resource.create({"service.name": service, "service.namespace": "portico"})
            )
        )
    provider = trace.get_tracer_provider()
    if (
        not otlp_endpoint
        or otlp_endpoint in _exporting_to
        or not isinstance(provider, TracerProvider)
    ):
        return
    # Imported here: the exporter pulls in protobuf and requests, which only exporting needs.
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    endpoint = otlp_endpoint.rstrip("/")
    if not endpoint.endswith("/v1/traces"):
        endpoint += "/v1/traces"
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
    _exporting_to.add(otlp_endpoint)


# HTTP --------------------------------------------------------------------------------


def instrument_app(app: FastAPI, service: str) -> None:
    """Request context, access log and metrics for a service's app.

    Server spans come from FastAPI itself: it opens one per request (route template as
    name, incoming ``traceparent`` as parent) whenever a tracer provider is configured,
    and, unlike an instrumentation middleware, opens only one for the whole request when
    service apps are mounted in the embedded host's app.
    """
    app.add_middleware(RequestContextMiddleware, service=service)


def route_template(scope: Scope) -> str:
    """The matched route's template (``/quotes/{quote_id}``), never the raw path: ids and
    link tokens must stay out of metric labels and logs."""
    route = scope.get("route")
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    return template if isinstance(template, str) else "unmatched"


class RequestContextMiddleware:
    """Binds the service and correlation id of each request, echoes the id in the response,
    logs the request and records ``portico_http_*`` metrics."""

    def __init__(self, app: ASGIApp, service: str) -> None:
        self.app = app
        self.service = service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        correlation = _correlation_of(scope)
        status = 500  # stays so when the app fails before answering
        started = time.perf_counter()

        async def send_with_correlation(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])  # optional in ASGI
                MutableHeaders(scope=message).append(CORRELATION_HEADER, correlation)
            await send(message)

        with bind_context(service=self.service, correlation=correlation):
            span = trace.get_current_span()
            span.set_attribute("portico.service", self.service)
            span.set_attribute("portico.correlation_id", correlation)
            try:
                await self.app(scope, receive, send_with_correlation)
            finally:
                self._record(scope, status, time.perf_counter() - started)

    def _record(self, scope: Scope, status: int, seconds: float) -> None:
        route = route_template(scope)
        method = scope["method"] if scope["method"] in _METHODS else "OTHER"
        HTTP_REQUESTS.labels(self.service, method, route, str(status)).inc()
        HTTP_REQUEST_SECONDS.labels(self.service, method, route).observe(seconds)
        level = logging.DEBUG if route in _PROBE_ROUTES else logging.INFO
        log.log(
            level,
            "request handled",
            method=method,
            route=route,
            status=status,
            duration_ms=round(seconds * 1000, 1),
        )


def _correlation_of(scope: Scope) -> str:
    for name, value in scope.get("headers") or ():
        if name == b"x-correlation-id":
            given = value.decode("latin-1")
            if _CORRELATION_PATTERN.fullmatch(given):
                return given
            break
    return str(uuid.uuid4())
