"""The registry from event type name to its payload schema."""

from __future__ import annotations

from typing import TYPE_CHECKING

from portico.contracts.errors import UnknownEventType

if TYPE_CHECKING:
    from portico.contracts.envelope import Event

CATALOGUE = "portico.contracts.events"
_EVENTS: dict[str, type[Event]] = {}


def register(event_class: type[Event]) -> None:
    existing = _EVENTS.get(event_class.event_type)
    if existing is not None and existing is not event_class:
        raise ValueError(f"event type {event_class.event_type!r} is defined twice")
    _EVENTS[event_class.event_type] = event_class


def model_for(event_type: str) -> type[Event]:
    _load_catalogue()
    try:
        return _EVENTS[event_type]
    except KeyError:
        raise UnknownEventType(event_type) from None


def all_events() -> dict[str, type[Event]]:
    """Portico's catalogue: the events of ``portico.contracts.events`` (not those a test or
    a benchmark registers for itself)."""
    _load_catalogue()
    return {
        event_type: model
        for event_type, model in sorted(_EVENTS.items())
        if model.__module__.startswith(CATALOGUE + ".")
    }


def _load_catalogue() -> None:
    # Importing the catalogue registers every event; done lazily to avoid an import cycle.
    import portico.contracts.events  # noqa: F401
