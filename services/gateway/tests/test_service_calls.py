"""A page's calls to the services carry the trace of the browser's request, so that the
service's spans, and the events it emits while answering, join the same trace."""

from __future__ import annotations

from pathlib import Path

import httpx
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from portico.gateway.app import create_gateway
from portico.kit.observability import configure_tracing
from portico.kit.settings import PorticoSettings

TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
BROWSER_TRACEPARENT = f"00-{TRACE_ID}-00f067aa0ba902b7-01"
ORGANISATION = {"name": "Studio", "logo_url": None, "brand_colour": "#4f46e5"}


async def test_a_page_calls_the_service_in_the_trace_of_its_request(tmp_path: Path) -> None:
    configure_tracing("gateway-test", otlp_endpoint=None)
    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)
    spans = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    received: list[httpx.Request] = []

    def service(request: httpx.Request) -> httpx.Response:
        # The portal, as the login page reaches it for the organisation's branding.
        received.append(request)
        return httpx.Response(200, json=ORGANISATION)

    gateway = create_gateway(
        PorticoSettings(data_dir=tmp_path), transport=httpx.MockTransport(service)
    )
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=gateway), base_url="http://127.0.0.1:8000"
    ) as browser:
        response = await browser.get("/login", headers={"traceparent": BROWSER_TRACEPARENT})

    assert response.status_code == 200
    [call] = [request for request in received if request.url.path == "/api/portal/v1/organisation"]
    finished = {span.context.span_id: span for span in spans.get_finished_spans() if span.context}
    [page_span] = [
        span
        for span in finished.values()
        if span.kind is SpanKind.SERVER and (span.attributes or {}).get("http.route") == "/login"
    ]
    # The gateway's request span continues the browser's trace; the call carries it on, from
    # within that request (its endpoint's span, a child of the request's).
    assert format(page_span.context.trace_id, "032x") == TRACE_ID
    _version, trace_id, parent_id, _flags = call.headers["traceparent"].split("-")
    assert trace_id == TRACE_ID
    caller = finished[int(parent_id, 16)]
    assert page_span.context.span_id in {
        caller.context.span_id,
        caller.parent and caller.parent.span_id,
    }
