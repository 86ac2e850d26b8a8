"""Portico's event contracts: the envelope, every event schema and their registry."""

from portico.contracts.envelope import MASK, Envelope, Event, carries_secrets, masked_stored
from portico.contracts.errors import (
    ContractError,
    InvalidEnvelope,
    InvalidPayload,
    UnknownEventType,
)
from portico.contracts.registry import all_events, model_for

__all__ = [
    "MASK",
    "ContractError",
    "Envelope",
    "Event",
    "InvalidEnvelope",
    "InvalidPayload",
    "UnknownEventType",
    "all_events",
    "carries_secrets",
    "masked_stored",
    "model_for",
]
