"""The dispatcher: the job that sends recorded deliveries (``portico.kit.jobs``), retries
the transient failures with growing delays and records every attempt.

The transaction that records deliveries adds a ``notifier.send`` job per
``dispatch_batch`` of them (``record.py``). The job runner claims jobs with a lease its
heartbeat keeps alive, so a worker that dies leaves its jobs to another within a lease
(``PORTICO_JOBS_LEASE_SECONDS``); a worker asked to stop finishes the send in hand,
records what it sent and releases the rest of the job. A job sends its deliveries one after
the other and records the outcomes while it sends the next ones, each record taking what
was sent during the one before: the sends not yet recorded, which a killed worker sends
again (each email keeping its Message-ID), are those of one commit. A job that runs again
skips what was recorded.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast

import structlog
from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.orm import defer

from portico.contracts.events.notifier import NotificationDelivered
from portico.kit.db import Database, utcnow
from portico.kit.jobs import Job, JobContext, JobInterrupted
from portico.kit.transaction import Transaction
from portico.notifier.channels.base import (
    DeliveryFailure,
    EmailContent,
    PermanentFailure,
    SendResult,
    SmsContent,
)
from portico.notifier.channels.email import build_email
from portico.notifier.channels.senders import Senders, create_senders
from portico.notifier.deliveries.attachments import AttachmentStores
from portico.notifier.deliveries.record import SEND_JOB, failed_event, mask
from portico.notifier.models import Delivery, DeliveryAttempt
from portico.notifier.settings import NotifierSettings, notifier_settings

log = structlog.get_logger(__name__)

# Outcomes recorded together: a transaction per email would cost more than its send (a
# commit's CPU in this event loop). A worker killed sends again at most these, plus those
# sent while they were being recorded. Measured with bench/notify.py on a quiet two-core
# machine: every 10 emails 43-46 % of the raw SMTP rate, every 50 (a job's batch, as the
# dispatcher before jobs exposed) 49-54 %, the target being 50 %.
RECORD_EVERY = 50
# Closing the SMTP connection at stop: a server that does not answer is let go.
CLOSE_SECONDS = 2.0

Outcome = tuple["Claimed", SendResult | DeliveryFailure]


@dataclass(frozen=True)
class Claimed:
    """A delivery a job sends: what to send, and what its events name."""

    id: uuid.UUID
    channel: str
    content: dict[str, Any]
    event_id: uuid.UUID
    event_type: str
    recipient_id: uuid.UUID | None
    recipient: str


class Dispatcher:
    def __init__(
        self,
        database: Database,
        attachments: AttachmentStores,
        senders: Senders,
        settings: NotifierSettings,
    ) -> None:
        self.database = database
        self.attachments = attachments
        self.senders = senders
        self.settings = settings

    async def send(self, ids: list[uuid.UUID], stopping: asyncio.Event | None = None) -> None:
        """Sends the deliveries of ``ids`` still pending and due, and records their
        outcomes. Once ``stopping`` is set (the runner asked to stop), it sends no more,
        records what it sent and raises ``JobInterrupted``: the job goes back to pending
        and the next runner sends the rest. Cancelled (a send that outlasted the grace), it
        still records what was sent before; the send in flight is then the only one whose
        outcome is unknown."""
        recording: asyncio.Task[None] | None = None
        outcomes: list[Outcome] = []

        async def finish() -> None:
            if recording is not None:
                # Shielded: a cancelled job still commits the record under way.
                await asyncio.shield(recording)
            if outcomes:
                await self.record(outcomes)

        try:
            due = await self.due(ids)
            for index, delivery in enumerate(due):
                if stopping is not None and stopping.is_set():
                    await finish()
                    raise JobInterrupted(f"{len(due) - index} deliveries left to send")
                outcomes.append((delivery, await self._attempt(delivery)))
                if len(outcomes) >= RECORD_EVERY and (recording is None or recording.done()):
                    if recording is not None:
                        recording.result()  # a failed record fails the job: it runs again
                    batch, outcomes = outcomes, []
                    recording = asyncio.create_task(self.record(batch))
        except asyncio.CancelledError:
            await asyncio.shield(asyncio.ensure_future(finish()))
            raise
        await finish()

    async def due(self, ids: list[uuid.UUID]) -> list[Claimed]:
        """The deliveries of ``ids`` to send now: a job that runs again finds those it
        sent already recorded, and a delivery waiting for a later try has a job of its
        own for it."""
        async with self.database.sessions() as session:
            rows = await session.execute(
                select(
                    Delivery.id,
                    Delivery.channel,
                    Delivery.content,
                    Delivery.event_id,
                    Delivery.event_type,
                    Delivery.recipient_id,
                    Delivery.recipient,
                )
                .where(
                    Delivery.id.in_(ids),
                    Delivery.status == "pending",
                    Delivery.next_attempt_at <= utcnow(),
                )
                .order_by(Delivery.created_at)
            )
            return [
                Claimed(
                    id=row.id,
                    channel=row.channel,
                    content=dict(row.content),
                    event_id=row.event_id,
                    event_type=row.event_type,
                    recipient_id=row.recipient_id,
                    recipient=row.recipient,
                )
                for row in rows
                if row.content
            ]

    async def _attempt(self, delivery: Claimed) -> SendResult | DeliveryFailure:
        try:
            return await self._send(delivery.channel, delivery.content)
        except DeliveryFailure as failure:
            return failure
        except Exception as error:
            log.exception("delivery crashed", channel=delivery.channel)
            return DeliveryFailure(f"internal error: {type(error).__name__}")

    async def _send(self, channel: str, content: dict[str, Any]) -> SendResult:
        if channel == "sms":
            return await self.senders.sms.send_sms(SmsContent(**content))
        attachments = await self.attachments.read(content.pop("attachments", []))
        email = EmailContent(**content)
        message = build_email(email, attachments)
        return await self.senders.email.send_email(email.from_address, [email.to], message)

    async def record(self, outcomes: list[Outcome]) -> None:
        """Outcomes in one transaction: a crash before it sends them again, each email
        with its Message-ID, rather than paying a commit per message."""
        sent = [(d, result) for d, result in outcomes if isinstance(result, SendResult)]
        failed = [(d, failure) for d, failure in outcomes if isinstance(failure, DeliveryFailure)]
        async with self.database.transaction() as tx:
            if sent:
                await self._sent(tx, sent)
            if failed:
                deliveries = {
                    delivery.id: delivery
                    for delivery in await tx.scalars(
                        select(Delivery)
                        .where(Delivery.id.in_([claimed.id for claimed, _ in failed]))
                        .options(defer(Delivery.content))
                    )
                }
                for claimed, failure in failed:
                    await self._failed(tx, deliveries[claimed.id], failure)

    async def _sent(self, tx: Transaction, sent: list[tuple[Claimed, SendResult]]) -> None:
        # Statements run once for the whole batch (executemany): the common case, a batch
        # of successes, costs three round trips however large it is.
        now = utcnow()
        table = cast(Table, Delivery.__table__)
        await tx.execute(
            update(table)
            .where(table.c.id == bindparam("delivery_id"))
            .values(
                status="sent",
                finished_at=now,
                attempts=table.c.attempts + 1,
                provider_id=bindparam("sent_provider_id"),
                content=None,
                next_attempt_at=None,
            ),
            [
                {"delivery_id": claimed.id, "sent_provider_id": result.provider_id}
                for claimed, result in sent
            ],
        )
        await tx.execute(
            insert(cast(Table, DeliveryAttempt.__table__)),
            [
                {
                    "id": uuid.uuid4(),
                    "delivery_id": claimed.id,
                    "at": now,
                    "outcome": "sent",
                    "provider_id": result.provider_id,
                }
                for claimed, result in sent
            ],
        )
        for claimed, _ in sent:
            tx.emit(
                NotificationDelivered(
                    delivery_id=claimed.id,
                    source_event_id=claimed.event_id,
                    source_event_type=claimed.event_type,
                    channel=claimed.channel,
                    recipient_id=claimed.recipient_id,
                    recipient=mask(claimed.recipient),
                    delivered_at=now,
                ),
            )

    async def _failed(self, tx: Transaction, delivery: Delivery, failure: DeliveryFailure) -> None:
        permanent = isinstance(failure, PermanentFailure)
        now = utcnow()
        delivery.attempts += 1
        delivery.last_error = failure.reason[:2000]
        delays = self.settings.retry_delays
        gives_up = permanent or delivery.attempts > len(delays)
        tx.add(
            DeliveryAttempt(
                delivery_id=delivery.id,
                at=now,
                outcome="permanent" if permanent else "transient",
                error=failure.reason[:2000],
            )
        )
        if gives_up:
            delivery.status, delivery.finished_at = "failed", now
            delivery.content = delivery.next_attempt_at = None
            tx.emit(failed_event(delivery, failure.reason, permanent=permanent))
        else:
            delivery.next_attempt_at = now + timedelta(seconds=delays[delivery.attempts - 1])
            # Its next try is a job of its own, due then (the job that failed it ends).
            await tx.enqueue(
                SEND_JOB,
                {"deliveries": [str(delivery.id)]},
                run_at=delivery.next_attempt_at,
            )
        log.warning(
            "delivery failed",
            delivery_id=str(delivery.id),
            reason=failure.reason,
            permanent=permanent,
            gave_up=gives_up,
        )


@asynccontextmanager
async def open_dispatcher(context: JobContext) -> AsyncIterator[Dispatcher]:
    """The runner's dispatcher, opened by its first job: one SMTP connection for every
    job of the process, closed when the runner stops."""
    settings = notifier_settings()
    senders = create_senders(settings, context.settings)
    try:
        attachments = AttachmentStores(context.settings, context.store)
        yield Dispatcher(context.database, attachments, senders, settings)
    finally:
        try:
            async with asyncio.timeout(CLOSE_SECONDS):
                await senders.close()
        except Exception as exc:
            log.warning("senders not closed cleanly", reason=repr(exc))


async def send_deliveries(context: JobContext, job: Job) -> None:
    """The ``notifier.send`` job: ``{"deliveries": [ids]}``."""
    dispatcher = await context.resource(open_dispatcher)
    ids = [uuid.UUID(value) for value in job.payload["deliveries"]]
    await dispatcher.send(ids, context.stopping)


JOBS = {SEND_JOB: send_deliveries}
