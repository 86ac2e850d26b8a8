"""One trace from a browser's request to the handlers of the events it caused: the gateway's
page, the portal's API call, the event through the outbox and the bus, and each consuming
service's handler share the browser's trace id, each span the child of the one before.
On both backends: in one process (the in-memory bus), and through PostgreSQL outboxes and
RabbitMQ."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import SpanKind

from portico.contracts.events.portal import ClientCreated
from portico.gateway.testing import Accounts, Site
from portico.kit.observability import configure_tracing
from portico.kit.testing.services import RunningPortico

TRACE_ID = "0af7651916cd43dd8448eb211c80319c"
BROWSER = f"00-{TRACE_ID}-b7ad6b7169203331-01"
CREATED = f"process {ClientCreated.event_type}"


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    configure_tracing("portico-test", otlp_endpoint=None)
    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)
    exporter = InMemorySpanExporter()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    yield exporter
    exporter.shutdown()  # the provider is the process's: this one stops recording


def in_trace(exporter: InMemorySpanExporter) -> dict[int, ReadableSpan]:
    return {
        span.context.span_id: span
        for span in exporter.get_finished_spans()
        if span.context is not None and format(span.context.trace_id, "032x") == TRACE_ID
    }


def ancestors(span: ReadableSpan, spans: dict[int, ReadableSpan]) -> list[ReadableSpan]:
    chain = []
    while span.parent is not None and span.parent.span_id in spans:
        span = spans[span.parent.span_id]
        chain.append(span)
    return chain


async def test_a_client_created_in_the_browser_is_one_trace_down_to_the_handlers(
    site: Site, accounts: Accounts, portico: RunningPortico, spans: InMemorySpanExporter
) -> None:
    admin = await accounts.staff("admin")
    await site.log_in(admin["email"])
    await site.get("/clients/new")
    created = await site.post(
        "/clients/new",
        {"kind": "company", "name": "Atelier Lumière", "first_name": "Camille",
         "last_name": "Durand", "email": "camille@atelier.example", "locale": "fr"},
        headers={"traceparent": BROWSER},
    )  # fmt: skip
    assert created.status_code == 303, created.text[:2000]
    client_id = created.headers["location"].rsplit("/", 1)[-1]
    await portico.events.wait_for(ClientCreated.event_type, subject=client_id)

    # Every service that keeps a replica of clients handles the event.
    consumers = [
        runtime.service.name
        for runtime in portico.host.runtimes
        if ClientCreated in runtime.service.handlers
    ]
    assert len(consumers) >= 2, consumers
    deadline = time.monotonic() + 30
    while True:
        handled = [
            span
            for span in in_trace(spans).values()
            if span.name == CREATED and span.kind is SpanKind.CONSUMER
        ]
        if len(handled) >= len(consumers):
            break
        assert time.monotonic() < deadline, [span.name for span in in_trace(spans).values()]
        await asyncio.sleep(0.1)

    traced = in_trace(spans)
    servers = {span.name for span in traced.values() if span.kind is SpanKind.SERVER}
    assert "POST /clients/new" in servers  # the gateway's page
    assert "POST /api/portal/v1/clients" in servers  # the portal's API, called by the page
    for consumer in handled:
        # Each handler's span descends, through the portal's request, from the page's.
        names = [span.name for span in ancestors(consumer, traced)]
        assert "POST /api/portal/v1/clients" in names, names
        assert names[-1] == "POST /clients/new", names
