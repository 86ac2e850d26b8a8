"""The ``notifier.webhook`` job: one try of one delivery, and what follows from it.

The job reads the delivery, posts it signed (``delivery.py``) with no transaction open,
then records the attempt in a short one: a 2xx delivers it; a failure adds the job of the
next try, due after the schedule's delay (``retries.py``), or, once the delays are spent,
fails the delivery and pauses the endpoint, telling its owner by email.

A job may run twice (a worker that dies between the request and the record): its payload
names the attempt it makes, and it does nothing once that attempt is recorded, so a
receiver gets at most a duplicate request, with the same ``webhook-id`` to spot it by.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import structlog
from sqlalchemy import select

from portico.kit.db import utcnow
from portico.kit.jobs import Job, JobContext
from portico.kit.settings import PorticoSettings
from portico.kit.transaction import Transaction
from portico.notifier.deliveries.record import record
from portico.notifier.messages.webhooks import plan_pause_notice
from portico.notifier.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint
from portico.notifier.webhooks.delivery import Outcome, WebhookSender
from portico.notifier.webhooks.retries import next_delay
from portico.notifier.webhooks.service import SEND_JOB, hold, pause_endpoint, send_job
from portico.notifier.webhooks.settings import webhook_settings
from portico.notifier.webhooks.signing import signed_headers

log = structlog.get_logger(__name__)

# The type the owner's email has in the delivery log: no event is behind it.
PAUSE_NOTICE_TYPE = "portico.notifier.webhook_paused"
NOTICE_NAMESPACE = uuid.UUID("3c9e1f62-8b7d-4a35-9e0f-5d2a7c4b1e86")
CLOSE_SECONDS = 2.0


@dataclass(frozen=True)
class PauseNotice:
    """What the owner's email is recorded for (``deliveries.record.Occasion``)."""

    id: uuid.UUID
    type: str = PAUSE_NOTICE_TYPE


@dataclass(frozen=True)
class Due:
    """What one try needs, read before the request."""

    delivery_id: uuid.UUID
    event_id: uuid.UUID
    body: str
    url: str
    secrets: tuple[str, ...]


@asynccontextmanager
async def open_sender(context: JobContext) -> AsyncIterator[WebhookSender]:
    """One HTTP client for every webhook job of the runner, closed when it stops."""
    sender = WebhookSender(
        webhook_settings(),
        allow_local=webhook_settings().local_allowed(embedded=context.settings.embedded),
    )
    try:
        yield sender
    finally:
        try:
            async with asyncio.timeout(CLOSE_SECONDS):
                await sender.close()
        except Exception as error:
            log.warning("webhook client not closed cleanly", reason=repr(error))


async def send_webhook(context: JobContext, job: Job) -> None:
    delivery_id = uuid.UUID(job.payload["delivery"])
    attempt = int(job.payload["attempt"])
    due = await _due(context, delivery_id, attempt)
    if due is None:
        return
    sender = await context.resource(open_sender)
    timestamp = int(time.time())
    headers = signed_headers(due.secrets, str(due.event_id), timestamp, due.body.encode())
    outcome = await sender.post(due.url, due.body.encode(), headers)
    async with context.database.transaction() as tx:
        await _record(tx, delivery_id, attempt, outcome, context.settings)


async def _due(context: JobContext, delivery_id: uuid.UUID, attempt: int) -> Due | None:
    """The try to make, or None: the delivery is gone, done, already past this attempt,
    or its endpoint is paused (then it is held until it is resumed)."""
    async with context.database.sessions() as session:
        row = (
            await session.execute(
                select(WebhookDelivery, WebhookEndpoint)
                .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
                .where(WebhookDelivery.id == delivery_id)
            )
        ).one_or_none()
    if row is None:
        return None
    delivery, endpoint = row
    if delivery.status != "pending" or delivery.attempts != attempt - 1:
        return None
    if endpoint.status == "paused":
        async with context.database.transaction() as tx:
            await hold(tx, delivery_id, attempt)
        return None
    secrets = [endpoint.secret]
    if (
        endpoint.previous_secret
        and endpoint.previous_secret_until
        and endpoint.previous_secret_until > utcnow()
    ):
        secrets.append(endpoint.previous_secret)
    return Due(
        delivery_id=delivery.id,
        event_id=delivery.event_id,
        body=delivery.body,
        url=endpoint.url,
        secrets=tuple(secrets),
    )


async def _record(
    tx: Transaction,
    delivery_id: uuid.UUID,
    attempt: int,
    outcome: Outcome,
    settings: PorticoSettings,
) -> None:
    delivery = await tx.locked(WebhookDelivery, delivery_id)
    if delivery is None or delivery.status != "pending" or delivery.attempts != attempt - 1:
        return  # deleted meanwhile, or this attempt recorded by an earlier run of the job
    now = utcnow()
    tx.add(
        WebhookAttempt(
            delivery_id=delivery.id,
            number=attempt,
            at=now,
            succeeded=outcome.succeeded,
            status_code=outcome.status_code,
            error=outcome.error,
            duration_ms=outcome.duration_ms,
            response_body=outcome.response_body,
        )
    )
    delivery.attempts = attempt
    delivery.tries += 1
    delivery.last_status_code = outcome.status_code
    delivery.last_error = outcome.error
    if outcome.succeeded:
        delivery.status, delivery.finished_at, delivery.next_attempt_at = "delivered", now, None
        return
    delay = next_delay(delivery.tries, webhook_settings().retry_delays)
    if delay is not None:
        delivery.next_attempt_at = now + delay
        await tx.enqueue_many([send_job(delivery)])
        return
    delivery.status, delivery.finished_at, delivery.next_attempt_at = "failed", now, None
    log.warning(
        "webhook delivery failed for good; pausing its endpoint",
        delivery_id=str(delivery.id),
        endpoint_id=str(delivery.endpoint_id),
        tries=delivery.tries,
    )
    await _pause(tx, delivery, outcome, settings)


async def _pause(
    tx: Transaction, delivery: WebhookDelivery, outcome: Outcome, settings: PorticoSettings
) -> None:
    """Pauses the endpoint whose delivery spent its retries, and tells its owner once:
    deliveries failing together pause it, and send the email, a single time."""
    reason = (
        f"HTTP {outcome.status_code}" if outcome.status_code is not None else outcome.error
    ) or "no answer"
    endpoint, paused_now = await pause_endpoint(tx, delivery.endpoint_id, reason)
    if not paused_now:
        return
    assert endpoint.paused_at is not None
    planned = await plan_pause_notice(
        tx,
        endpoint,
        attempts=delivery.tries,
        manage_url=settings.link(f"/settings/webhooks/{endpoint.id}"),
    )
    # Through the notifier's own recording and sending, as every message (the delivery
    # log, the email's retries), for the pause rather than an event: its id, derived from
    # the endpoint and the moment, keys the email.
    notice = PauseNotice(
        id=uuid.uuid5(NOTICE_NAMESPACE, f"{endpoint.id}:{endpoint.paused_at.isoformat()}")
    )
    await record(tx, notice, planned)


JOBS = {SEND_JOB: send_webhook}
