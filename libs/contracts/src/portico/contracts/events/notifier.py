"""Events emitted by the notifier service."""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID

from pydantic import Field

from portico.contracts.envelope import Event
from portico.contracts.events.common import examples

__all__ = ["NotificationDelivered", "NotificationFailed"]

NotificationChannel = Literal["email", "sms", "in_app"]
_DELIVERY = {
    "delivery_id": "8b9c0d1e-2f3a-4b4c-8d5e-6f7a8b9c0d1e",
    "source_event_id": "0c1d2e3f-4a5b-4c6d-8e7f-8a9b0c1d2e3f",
    "source_event_type": "portico.portal.client_invited.v1",
    "channel": "email",
    "recipient": "c•••••@atelier-lumiere.example",
}


class NotificationDelivered(Event):
    """A message was handed to its channel (SMTP server, SMS provider, in-app inbox)."""

    event_type = "portico.notifier.notification_delivered.v1"
    subject_field = "delivery_id"
    model_config = examples({**_DELIVERY, "delivered_at": "2026-11-25T10:00:01Z"})

    delivery_id: UUID
    source_event_id: UUID
    source_event_type: str
    channel: NotificationChannel
    recipient: str = Field(description="Masked address or number (events are not for PII)")
    delivered_at: datetime


class NotificationFailed(Event):
    """A message could not be delivered; ``permanent`` failures are not retried."""

    event_type = "portico.notifier.notification_failed.v1"
    subject_field = "delivery_id"
    model_config = examples(
        {
            **_DELIVERY,
            "failed_at": "2026-11-25T10:00:01Z",
            "reason": "550 5.1.1 mailbox unavailable",
            "permanent": True,
        }
    )

    delivery_id: UUID
    source_event_id: UUID
    source_event_type: str
    channel: NotificationChannel
    recipient: str
    failed_at: datetime
    reason: str = Field(max_length=2000)
    permanent: bool
