"""Request and response bodies of the webhooks API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
)

from portico.notifier.webhooks.destinations import URL_MAX
from portico.notifier.webhooks.events import webhook_events

EndpointStatus = Literal["active", "paused"]
DeliveryStatus = Literal["pending", "delivered", "failed", "held"]
EXAMPLE: dict[str, Any] = {
    "url": "https://erp.example.com/portico/webhooks",
    "description": "ERP: signed documents and accepted quotes",
    "event_types": [
        "portico.signing.document_completed.v1",
        "portico.quotes.quote_signed.v1",
    ],
}


def _known(event_type: str) -> str:
    if event_type not in webhook_events():
        raise ValueError(f"unknown event type {event_type!r}: see GET /v1/webhook-event-types")
    return event_type


# Checked against the contracts' registry; the schema lists the types there are.
EventType = Annotated[
    str,
    AfterValidator(_known),
    WithJsonSchema({"type": "string", "enum": sorted(webhook_events())}),
]
EventTypes = Annotated[list[EventType], Field(min_length=1, max_length=len(webhook_events()))]
Url = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=URL_MAX),
    Field(description="https:// (http:// only for localhost in development)"),
]
Description = Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)]


class WebhookIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE]})

    url: Url
    description: Description = ""
    event_types: EventTypes


class WebhookPatch(BaseModel):
    """What changes; what is left out stays as it is."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"event_types": ["portico.portal.client_created.v1"]}]}
    )

    url: Url | None = None
    description: Description | None = None
    event_types: EventTypes | None = None


class WebhookOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    url: str
    description: str
    event_types: list[str]
    status: EndpointStatus
    paused_at: datetime | None
    pause_reason: str | None = Field(
        description="What the last try of the delivery that paused it got (HTTP 503, a "
        "timeout); null when an admin paused it"
    )
    owner_id: uuid.UUID = Field(description="The admin who created it, told when it is paused")
    created_at: datetime
    updated_at: datetime


class WebhookWithSecret(WebhookOut):
    secret: str = Field(
        description="The signing secret (whsec_…): shown in this answer only; after a "
        "rotation the previous one also signs for 24 hours"
    )


class AttemptOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    number: int
    at: datetime
    succeeded: bool
    status_code: int | None
    error: str | None = Field(description="Why no answer came: a timeout, a refused connection")
    duration_ms: int
    response_body: str | None = Field(description="The start of the answer (2,048 characters)")


class DeliveryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    endpoint_id: uuid.UUID
    event_id: uuid.UUID
    event_type: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    finished_at: datetime | None


class DeliveryDetail(DeliveryOut):
    payload: dict[str, Any] = Field(description="The body sent: the event's envelope")
    attempt_log: list[AttemptOut]


class EventTypeOut(BaseModel):
    type: str
    source: str
    description: str
