"""The events a webhook may subscribe to: Portico's catalogue, but the notifier's own.

The notifier's own events (a notification delivered or failed) are left out: offering
them would have the notifier consume an event for every email it sends, to serve a
receiver that the delivery log already serves.
"""

from __future__ import annotations

from functools import cache

from portico.contracts import Event, all_events

OWN_PREFIX = "portico.notifier."


@cache
def webhook_events() -> dict[str, type[Event]]:
    """Each event type a webhook may receive, and its model, by type name."""
    return {
        event_type: model
        for event_type, model in all_events().items()
        if not event_type.startswith(OWN_PREFIX)
    }


def summary(model: type[Event]) -> str:
    """The first sentence of the event's description (its docstring)."""
    text = " ".join((model.__doc__ or "").split())
    first, dot, _ = text.partition(". ")
    return first + ("." if dot and not first.endswith(".") else "")
