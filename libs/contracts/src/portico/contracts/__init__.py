"""Portico's event contracts: the envelope, every event schema and their registry."""

from portico.contracts.envelope import Envelope, Event
from portico.contracts.errors import (
    ContractError,
    InvalidEnvelope,
    InvalidPayload,
    UnknownEventType,
)
from portico.contracts.registry import all_events, model_for

__all__ = [
    "ContractError",
    "Envelope",
    "Event",
    "InvalidEnvelope",
    "InvalidPayload",
    "UnknownEventType",
    "all_events",
    "model_for",
]
