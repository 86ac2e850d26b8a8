"""Events emitted by the notifier service: what became of each message it sent."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from pydantic import Field

from portico.contracts.envelope import Event
from portico.contracts.events.common import Timestamp, examples

__all__ = ["NotificationChannel", "NotificationDelivered", "NotificationFailed"]

NotificationChannel = Literal["email", "sms", "in_app"]
_DELIVERY: dict[str, Any] = {
    "delivery_id": "8b9c0d1e-2f3a-4b4c-8d5e-6f7a8b9c0d1e",
    "source_event_id": "0c1d2e3f-4a5b-4c6d-8e7f-8a9b0c1d2e3f",
    "source_event_type": "portico.portal.client_invited.v1",
    "channel": "email",
    "recipient_id": "5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f",
    "recipient": "c•••••@atelier-lumiere.example",
}


class _Delivery(Event):
    """One message to one person on one channel, and the event that caused it."""

    subject_field = "delivery_id"

    delivery_id: UUID
    source_event_id: UUID = Field(description="The id of the event that asked for the message")
    source_event_type: str = Field(description="The type of that event")
    channel: NotificationChannel
    recipient_id: UUID | None = Field(
        default=None, description="The contact or staff user it went to, when known"
    )
    # Events are read by more systems than the notifier: they get a masked address, enough
    # to tell two addresses apart, and the delivery log keeps the real one.
    recipient: str = Field(description="The address or number, masked, e.g. c•••••@example.com")


class NotificationDelivered(_Delivery):
    """Emitted when a message was handed over (SMTP server, SMS provider, in-app inbox).

    Consumed by no Portico service today; for internal systems that track delivery.
    """

    event_type = "portico.notifier.notification_delivered.v1"
    model_config = examples({**_DELIVERY, "delivered_at": "2026-11-25T10:00:01Z"})

    delivered_at: Timestamp


class NotificationFailed(_Delivery):
    """Emitted when a message could not be delivered; a permanent failure is not retried.

    Consumed by no Portico service today; for internal systems that track delivery.
    """

    event_type = "portico.notifier.notification_failed.v1"
    model_config = examples(
        {
            **_DELIVERY,
            "failed_at": "2026-11-25T10:00:01Z",
            "reason": "550 5.1.1 mailbox unavailable",
            "permanent": True,
        }
    )

    failed_at: Timestamp
    reason: str = Field(max_length=2000, description="What the channel answered")
    permanent: bool = Field(description="True when retrying cannot help (unknown mailbox...)")
