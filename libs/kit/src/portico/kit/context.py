"""Per-request and per-event context, carried in contextvars.

In the embedded mode several services share one process and one event loop, so what a log
line or an emitted event says about "where am I" must come from the task's context, not
from process-wide globals.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from opentelemetry import propagate

current_service: ContextVar[str | None] = ContextVar("portico_service", default=None)
correlation_id: ContextVar[str | None] = ContextVar("portico_correlation_id", default=None)
causation_id: ContextVar[str | None] = ContextVar("portico_causation_id", default=None)


def current_traceparent() -> str | None:
    """The W3C traceparent of the current span, to stamp on an emitted event."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get("traceparent")


@contextmanager
def bound(
    *, service: str | None = None, correlation: str | None = None, causation: str | None = None
) -> Iterator[None]:
    """Set the context for the duration of a request or an event handler."""
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
