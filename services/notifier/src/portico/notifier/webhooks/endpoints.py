"""The webhooks API (admins only): endpoints, their deliveries and the event types."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response, status

from portico.kit.auth import CurrentAdmin
from portico.kit.deps import Tx, get_runtime
from portico.kit.pagination import Page, Paging
from portico.kit.problems import problem_responses
from portico.notifier.models import WebhookEndpoint
from portico.notifier.webhooks import service
from portico.notifier.webhooks.events import summary, webhook_events
from portico.notifier.webhooks.schemas import (
    AttemptOut,
    DeliveryDetail,
    DeliveryOut,
    DeliveryStatus,
    EventTypeOut,
    WebhookIn,
    WebhookOut,
    WebhookPatch,
    WebhookWithSecret,
)
from portico.notifier.webhooks.settings import webhook_settings

router = APIRouter(tags=["webhooks"])
WEBHOOK = "/v1/webhooks/{webhook_id}"


def destinations(request: Request) -> service.Destinations:
    settings = webhook_settings()
    return service.Destinations(
        allow_local=settings.local_allowed(embedded=get_runtime(request).settings.embedded),
        allow_private=settings.allow_private_networks,
    )


Destinations = Annotated[service.Destinations, Depends(destinations)]


def _with_secret(endpoint: WebhookEndpoint) -> WebhookWithSecret:
    return WebhookWithSecret(
        **WebhookOut.model_validate(endpoint).model_dump(), secret=endpoint.secret
    )


@router.get(
    "/v1/webhook-event-types",
    responses=problem_responses(401, 403),
    summary="The event types a webhook may receive",
)
async def list_event_types(_: CurrentAdmin) -> list[EventTypeOut]:
    return [
        EventTypeOut(type=event_type, source=event_type.split(".")[1], description=summary(model))
        for event_type, model in webhook_events().items()
    ]


@router.post(
    "/v1/webhooks",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 422),
    summary="Register a webhook; its signing secret is in this answer only",
)
async def create_webhook(
    body: WebhookIn, tx: Tx, admin: CurrentAdmin, allowed: Destinations
) -> WebhookWithSecret:
    endpoint = await service.create_endpoint(tx, body, uuid.UUID(admin.subject), allowed)
    return _with_secret(endpoint)


@router.get("/v1/webhooks", responses=problem_responses(401, 403, 422), summary="The webhooks")
async def list_webhooks(tx: Tx, _: CurrentAdmin, page: Paging) -> Page[WebhookOut]:
    rows, total = await service.list_endpoints(tx, page)
    return Page[WebhookOut].of([WebhookOut.model_validate(row) for row in rows], total, page)


@router.get(WEBHOOK, responses=problem_responses(401, 403, 404), summary="One webhook")
async def get_webhook(webhook_id: uuid.UUID, tx: Tx, _: CurrentAdmin) -> WebhookOut:
    return WebhookOut.model_validate(await service.get_endpoint(tx, webhook_id))


@router.patch(
    WEBHOOK,
    responses=problem_responses(401, 403, 404, 422),
    summary="Change a webhook's URL, description or event types",
)
async def update_webhook(
    webhook_id: uuid.UUID, body: WebhookPatch, tx: Tx, _: CurrentAdmin, allowed: Destinations
) -> WebhookOut:
    endpoint = await service.update_endpoint(tx, webhook_id, body, allowed)
    return WebhookOut.model_validate(endpoint)


@router.delete(
    WEBHOOK,
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404),
    summary="Delete a webhook, its deliveries and their log",
)
async def delete_webhook(webhook_id: uuid.UUID, tx: Tx, _: CurrentAdmin) -> Response:
    await service.delete_endpoint(tx, webhook_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    f"{WEBHOOK}/rotate-secret",
    responses=problem_responses(401, 403, 404),
    summary="A new signing secret, in this answer only; the previous one signs too for 24 hours",
)
async def rotate_webhook_secret(
    webhook_id: uuid.UUID, tx: Tx, _: CurrentAdmin
) -> WebhookWithSecret:
    return _with_secret(await service.rotate_secret(tx, webhook_id))


@router.post(
    f"{WEBHOOK}/pause",
    responses=problem_responses(401, 403, 404),
    summary="Pause a webhook: its events are kept, not sent, until it is resumed",
)
async def pause_webhook(webhook_id: uuid.UUID, tx: Tx, _: CurrentAdmin) -> WebhookOut:
    endpoint, _paused = await service.pause_endpoint(tx, webhook_id)
    return WebhookOut.model_validate(endpoint)


@router.post(
    f"{WEBHOOK}/resume",
    responses=problem_responses(401, 403, 404),
    summary="Resume a paused webhook: what it kept meanwhile is sent now",
)
async def resume_webhook(webhook_id: uuid.UUID, tx: Tx, _: CurrentAdmin) -> WebhookOut:
    return WebhookOut.model_validate(await service.resume_endpoint(tx, webhook_id))


@router.get(
    f"{WEBHOOK}/deliveries",
    responses=problem_responses(401, 403, 404, 422),
    summary="A webhook's deliveries, newest first",
)
async def list_webhook_deliveries(
    webhook_id: uuid.UUID,
    tx: Tx,
    _: CurrentAdmin,
    page: Paging,
    status: Annotated[DeliveryStatus | None, Query()] = None,
) -> Page[DeliveryOut]:
    rows, total = await service.list_deliveries(tx, webhook_id, page, status)
    return Page[DeliveryOut].of([DeliveryOut.model_validate(row) for row in rows], total, page)


@router.get(
    f"{WEBHOOK}/deliveries/{{delivery_id}}",
    responses=problem_responses(401, 403, 404),
    summary="One delivery: the body sent and every attempt with the receiver's answer",
)
async def get_webhook_delivery(
    webhook_id: uuid.UUID, delivery_id: uuid.UUID, tx: Tx, _: CurrentAdmin
) -> DeliveryDetail:
    delivery, attempts = await service.get_delivery(tx, webhook_id, delivery_id)
    return DeliveryDetail(
        **DeliveryOut.model_validate(delivery).model_dump(),
        payload=service.payload_of(delivery),
        attempt_log=[AttemptOut.model_validate(attempt) for attempt in attempts],
    )


@router.post(
    f"{WEBHOOK}/deliveries/{{delivery_id}}/replay",
    status_code=status.HTTP_202_ACCEPTED,
    responses=problem_responses(401, 403, 404, 409),
    summary="Send a delivered or failed delivery again, now",
)
async def replay_webhook_delivery(
    webhook_id: uuid.UUID, delivery_id: uuid.UUID, tx: Tx, _: CurrentAdmin
) -> DeliveryOut:
    delivery = await service.replay_delivery(tx, webhook_id, delivery_id)
    return DeliveryOut.model_validate(delivery)
