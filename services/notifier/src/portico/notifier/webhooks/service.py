"""The webhooks' use cases: endpoints (register, change, rotate, pause, resume, delete),
their deliveries (list, read, replay), and a delivery per endpoint for each event.

The transaction is the caller's (a request's, the event handler's); nothing here commits.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

import orjson
from sqlalchemy import Table, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from portico.contracts import Envelope, masked_stored
from portico.kit.db import utcnow
from portico.kit.jobs import job_values
from portico.kit.pagination import PageParams, fetch_page
from portico.kit.problems import Conflict, NotFound, ValidationProblem
from portico.kit.transaction import Transaction
from portico.notifier.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from portico.notifier.webhooks.destinations import InvalidDestination, check_url
from portico.notifier.webhooks.schemas import DeliveryStatus, WebhookIn, WebhookPatch
from portico.notifier.webhooks.signing import new_secret

# The job that tries a delivery: ``{"delivery": id, "attempt": n}``, n counting every try.
SEND_JOB = "notifier.webhook"
# After a rotation the previous secret signs too for this long: receivers have a day to
# take the new one without refusing a single request.
ROTATION_OVERLAP = timedelta(hours=24)
# What the event handler keeps of the endpoints for the rest of its transaction (a batch
# of up to a hundred events reads them once).
_ENDPOINTS = "portico_notifier_webhook_endpoints"


@dataclass(frozen=True)
class Destinations:
    """Which URLs this deployment accepts (``destinations.check_url``)."""

    allow_local: bool
    allow_private: bool

    def check(self, url: str) -> str:
        try:
            return check_url(url, allow_local=self.allow_local, allow_private=self.allow_private)
        except InvalidDestination as refused:
            raise ValidationProblem.for_field(
                "url", str(refused), code=f"url_{refused.code}"
            ) from None


def send_job(delivery: WebhookDelivery) -> dict[str, Any]:
    """The row of the job that makes the delivery's next try, due when it is."""
    return job_values(
        SEND_JOB,
        {"delivery": str(delivery.id), "attempt": delivery.attempts + 1},
        run_at=delivery.next_attempt_at,
    )


# --- Endpoints ----------------------------------------------------------------------------


async def create_endpoint(
    tx: Transaction, data: WebhookIn, owner_id: uuid.UUID, destinations: Destinations
) -> WebhookEndpoint:
    endpoint = WebhookEndpoint(
        url=destinations.check(data.url),
        description=data.description,
        event_types=_unique(data.event_types),
        secret=new_secret(),
        status="active",
        owner_id=owner_id,
        created_at=utcnow(),
        updated_at=utcnow(),
    )
    tx.add(endpoint)
    await tx.flush()
    return endpoint


async def list_endpoints(tx: Transaction, page: PageParams) -> tuple[list[WebhookEndpoint], int]:
    return await fetch_page(
        tx, select(WebhookEndpoint), page, WebhookEndpoint.created_at.desc(), WebhookEndpoint.id
    )


async def get_endpoint(tx: Transaction, endpoint_id: uuid.UUID) -> WebhookEndpoint:
    endpoint = await tx.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise NotFound(f"No webhook with id {endpoint_id}.")
    return endpoint


async def update_endpoint(
    tx: Transaction, endpoint_id: uuid.UUID, patch: WebhookPatch, destinations: Destinations
) -> WebhookEndpoint:
    endpoint = await _locked_endpoint(tx, endpoint_id)
    if patch.url is not None:
        endpoint.url = destinations.check(patch.url)
    if patch.description is not None:
        endpoint.description = patch.description
    if patch.event_types is not None:
        endpoint.event_types = _unique(patch.event_types)
    endpoint.updated_at = utcnow()
    return endpoint


async def delete_endpoint(tx: Transaction, endpoint_id: uuid.UUID) -> None:
    """The endpoint, its deliveries and their attempts; a job still due for one of them
    finds nothing and ends."""
    endpoint = await get_endpoint(tx, endpoint_id)
    await tx.delete(endpoint)


async def rotate_secret(tx: Transaction, endpoint_id: uuid.UUID) -> WebhookEndpoint:
    endpoint = await _locked_endpoint(tx, endpoint_id)
    now = utcnow()
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_until = now + ROTATION_OVERLAP
    endpoint.secret = new_secret()
    endpoint.updated_at = now
    return endpoint


async def pause_endpoint(
    tx: Transaction, endpoint_id: uuid.UUID, reason: str | None = None
) -> tuple[WebhookEndpoint, bool]:
    """Pauses the endpoint; answers it and whether this call paused it (False when it
    was paused already: a second failure, or a second click, changes nothing)."""
    endpoint = await _locked_endpoint(tx, endpoint_id)
    if endpoint.status == "paused":
        return endpoint, False
    endpoint.status = "paused"
    endpoint.paused_at = utcnow()
    endpoint.pause_reason = reason[:2000] if reason else None
    endpoint.updated_at = endpoint.paused_at
    return endpoint, True


async def resume_endpoint(tx: Transaction, endpoint_id: uuid.UUID) -> WebhookEndpoint:
    """Active again: every delivery held while it was paused is sent now, its retries
    counted afresh."""
    endpoint = await _locked_endpoint(tx, endpoint_id)
    if endpoint.status == "active":
        return endpoint
    now = utcnow()
    endpoint.status = "active"
    endpoint.paused_at = endpoint.pause_reason = None
    endpoint.updated_at = now
    held = list(
        await tx.scalars(
            select(WebhookDelivery)
            .where(WebhookDelivery.endpoint_id == endpoint_id, WebhookDelivery.status == "held")
            .order_by(WebhookDelivery.created_at)
        )
    )
    for delivery in held:
        delivery.status, delivery.tries, delivery.next_attempt_at = "pending", 0, now
    await tx.enqueue_many([send_job(delivery) for delivery in held])
    return endpoint


async def _locked_endpoint(tx: Transaction, endpoint_id: uuid.UUID) -> WebhookEndpoint:
    # Locked: a pause by a failing delivery and an admin's change or resume run one after
    # the other, each seeing what the other did.
    endpoint = await tx.locked(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise NotFound(f"No webhook with id {endpoint_id}.")
    return endpoint


def _unique(event_types: list[str]) -> list[str]:
    return sorted(set(event_types))


# --- Deliveries ---------------------------------------------------------------------------


async def list_deliveries(
    tx: Transaction,
    endpoint_id: uuid.UUID,
    page: PageParams,
    status: DeliveryStatus | None = None,
) -> tuple[list[WebhookDelivery], int]:
    await get_endpoint(tx, endpoint_id)
    query = select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
    if status is not None:
        query = query.where(WebhookDelivery.status == status)
    return await fetch_page(
        tx, query, page, WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc()
    )


async def get_delivery(
    tx: Transaction, endpoint_id: uuid.UUID, delivery_id: uuid.UUID
) -> tuple[WebhookDelivery, list[WebhookAttempt]]:
    delivery = await tx.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.endpoint_id != endpoint_id:
        raise NotFound(f"No delivery {delivery_id} for the webhook {endpoint_id}.")
    attempts = await tx.scalars(
        select(WebhookAttempt)
        .where(WebhookAttempt.delivery_id == delivery_id)
        .order_by(WebhookAttempt.number)
    )
    return delivery, list(attempts)


async def replay_delivery(
    tx: Transaction, endpoint_id: uuid.UUID, delivery_id: uuid.UUID
) -> WebhookDelivery:
    """Sends a delivered or failed delivery again, now, with a fresh round of retries;
    the same body and ``webhook-id``, so a receiver that keeps ids sees a duplicate."""
    endpoint = await get_endpoint(tx, endpoint_id)
    delivery = await tx.locked(WebhookDelivery, delivery_id)
    if delivery is None or delivery.endpoint_id != endpoint_id:
        raise NotFound(f"No delivery {delivery_id} for the webhook {endpoint_id}.")
    if endpoint.status == "paused":
        raise Conflict("The webhook is paused: resume it, and what it kept is sent.")
    if delivery.status not in ("delivered", "failed"):
        raise Conflict(f"The delivery is {delivery.status}: it is on its way already.")
    delivery.status, delivery.tries = "pending", 0
    delivery.next_attempt_at, delivery.finished_at = utcnow(), None
    await tx.enqueue_many([send_job(delivery)])
    return delivery


def payload_of(delivery: WebhookDelivery) -> dict[str, Any]:
    document: dict[str, Any] = orjson.loads(delivery.body)
    return document


# --- From events --------------------------------------------------------------------------


async def record_deliveries(tx: Transaction, envelope: Envelope) -> None:
    """A delivery for each endpoint that wants the event: pending with the job of its
    first try, or held when the endpoint is paused. A delivery already there for the
    endpoint and the event (the event delivered once more) stays as it is."""
    wanted = [
        (endpoint_id, status)
        for endpoint_id, status, types in await _endpoints(tx)
        if envelope.type in types
    ]
    if not wanted:
        return
    # The envelope as the bus carries it, its secrets masked: a capability link (to sign,
    # to view a quote) goes to the person it is for, never to a webhook.
    body = masked_stored(envelope.to_json()).decode()
    now = utcnow()
    rows = [
        {
            "id": uuid.uuid4(),
            "endpoint_id": endpoint_id,
            "event_id": envelope.id,
            "event_type": envelope.type,
            "body": body,
            "status": "pending" if status == "active" else "held",
            "attempts": 0,
            "tries": 0,
            "next_attempt_at": now if status == "active" else None,
            "created_at": now,
        }
        for endpoint_id, status in wanted
    ]
    dialect_insert = postgresql_insert if tx.database.is_postgres else sqlite_insert
    table = cast(Table, WebhookDelivery.__table__)
    inserted = set(
        await tx.scalars(
            dialect_insert(table)
            .values(rows)
            .on_conflict_do_nothing(index_elements=["endpoint_id", "event_id"])
            .returning(table.c.id)
        )
    )
    await tx.enqueue_many(
        [
            job_values(SEND_JOB, {"delivery": str(row["id"]), "attempt": 1}, run_at=now)
            for row in rows
            if row["id"] in inserted and row["status"] == "pending"
        ]
    )


async def _endpoints(tx: Transaction) -> list[tuple[uuid.UUID, str, frozenset[str]]]:
    if _ENDPOINTS not in tx.info:
        rows = await tx.execute(
            select(WebhookEndpoint.id, WebhookEndpoint.status, WebhookEndpoint.event_types)
        )
        tx.info[_ENDPOINTS] = [(row.id, row.status, frozenset(row.event_types)) for row in rows]
    endpoints: list[tuple[uuid.UUID, str, frozenset[str]]] = tx.info[_ENDPOINTS]
    return endpoints


async def hold(tx: Transaction, delivery_id: uuid.UUID, attempt: int) -> None:
    """The delivery waits for its endpoint to be resumed (a job found it paused)."""
    await tx.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.id == delivery_id,
            WebhookDelivery.status == "pending",
            WebhookDelivery.attempts == attempt - 1,
        )
        .values(status="held", next_attempt_at=None)
    )
