"""The ``notifier.prune_webhook_deliveries`` job: finished deliveries are kept for
``delivery_retention_days`` (30 by default), then deleted with their attempts.

A delivery's body is the event as sent, which names people (a client's contact, an
email address): the log is for seeing what a receiver got and replaying it, not an
archive, and without pruning it grows with every event forever. Only finished deliveries
go (delivered, or failed with their retries spent), counted from when they finished; a
pending or held one stays however old it is, since it is still to be sent. Deleting what
is already gone changes nothing, so a repeated run is harmless.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, select

from portico.kit.db import utcnow
from portico.kit.jobs import Job, JobContext
from portico.kit.jobs.schedules import Schedule
from portico.notifier.models import WebhookAttempt, WebhookDelivery
from portico.notifier.webhooks.settings import webhook_settings

PRUNE_JOB = "notifier.prune_webhook_deliveries"
FINISHED = ("delivered", "failed")


async def prune_deliveries(context: JobContext, job: Job) -> None:
    cutoff = utcnow() - timedelta(days=webhook_settings().delivery_retention_days)
    expired = select(WebhookDelivery.id).where(
        WebhookDelivery.status.in_(FINISHED), WebhookDelivery.finished_at < cutoff
    )
    async with context.database.transaction() as tx:
        # The attempts first: SQLite enforces no ON DELETE CASCADE unless told to.
        await tx.execute(delete(WebhookAttempt).where(WebhookAttempt.delivery_id.in_(expired)))
        await tx.execute(delete(WebhookDelivery).where(WebhookDelivery.id.in_(expired)))


SCHEDULES = [Schedule(name="prune-webhook-deliveries", kind=PRUNE_JOB, every=timedelta(hours=6))]
JOBS = {PRUNE_JOB: prune_deliveries}
