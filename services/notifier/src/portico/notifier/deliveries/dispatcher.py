"""The dispatcher: sends recorded deliveries, retries the transient failures with growing
delays and records every attempt.

It claims due deliveries with a lease (``FOR UPDATE SKIP LOCKED`` on PostgreSQL), so
several workers share the work and a worker that dies mid-send leaves its deliveries to be
claimed again once the lease ends; the resent email keeps its Message-ID.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy import bindparam, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer

from portico.contracts.events.notifier import NotificationDelivered
from portico.kit.db import Database, utcnow
from portico.kit.outbox import emit
from portico.kit.service import Runtime
from portico.kit.store import BlobStore
from portico.notifier.channels.base import (
    DeliveryFailure,
    EmailContent,
    PermanentFailure,
    SendResult,
    SmsContent,
)
from portico.notifier.channels.email import build_email
from portico.notifier.channels.senders import Senders, create_senders
from portico.notifier.deliveries.record import deliveries_due, failed_event, mask
from portico.notifier.models import Delivery, DeliveryAttempt
from portico.notifier.settings import NotifierSettings, notifier_settings

log = structlog.get_logger(__name__)

IDLE_CHECK = 30.0


@dataclass(frozen=True)
class Claimed:
    """A delivery leased to this dispatcher: what to send, and what its events name."""

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
        store: BlobStore,
        senders: Senders,
        settings: NotifierSettings,
    ) -> None:
        self.database = database
        self.store = store
        self.senders = senders
        self.settings = settings
        self.due = deliveries_due(database)
        self._recording: asyncio.Task[None] | None = None

    async def run(self) -> None:
        while True:
            try:
                claimed = await self.dispatch_once()
            except Exception:
                log.exception("dispatcher pass failed; trying again shortly")
                await asyncio.sleep(1.0)
                continue
            if claimed < self.settings.dispatch_batch:
                await self.recorded()
                await self._wait_for_work()

    async def dispatch_once(self) -> int:
        """Sends one batch of due deliveries; answers how many it claimed.

        The batch's outcomes are recorded while the next batch is claimed and sent: the
        commit's wait for the disk overlaps with sending. Its deliveries stay leased until
        then, so no other pass claims them; ``recorded()`` waits for it.
        """
        self.due.clear()
        claimed = await self.claim()
        if claimed:
            outcomes = [(delivery, await self._attempt(delivery)) for delivery in claimed]
            await self.recorded()
            self._recording = asyncio.create_task(self.record(outcomes))
        return len(claimed)

    async def recorded(self) -> None:
        """Waits until the outcomes of the batches sent so far are recorded."""
        recording, self._recording = self._recording, None
        if recording is not None:
            await recording

    async def _wait_for_work(self) -> None:
        async with self.database.sessions() as session:
            next_due = await session.scalar(
                select(func.min(Delivery.next_attempt_at)).where(Delivery.status == "pending")
            )
        timeout = IDLE_CHECK
        if next_due is not None:
            timeout = min(IDLE_CHECK, max(0.0, (next_due - utcnow()).total_seconds()))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.due.wait(), timeout)

    async def claim(self) -> list[Claimed]:
        """Due deliveries, leased to this dispatcher, with what to send."""
        now = utcnow()
        due = (
            select(Delivery.id)
            .where(
                Delivery.status == "pending",
                Delivery.next_attempt_at <= now,
                or_(Delivery.claimed_until.is_(None), Delivery.claimed_until < now),
            )
            .order_by(Delivery.next_attempt_at)
            .limit(self.settings.dispatch_batch)
        )
        if self.database.is_postgres:
            due = due.with_for_update(skip_locked=True)
        lease = now + timedelta(seconds=self.settings.dispatch_lease_seconds)
        async with self.database.sessions.begin() as session:
            rows = await session.execute(
                update(Delivery)
                .where(Delivery.id.in_(due.scalar_subquery()))
                .values(claimed_until=lease)
                .returning(
                    Delivery.id,
                    Delivery.channel,
                    Delivery.content,
                    Delivery.event_id,
                    Delivery.event_type,
                    Delivery.recipient_id,
                    Delivery.recipient,
                )
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
        attachments = [
            (filename, content_type, await self.store.read(key))
            for filename, content_type, key in content.pop("attachments", [])
        ]
        email = EmailContent(**content)
        message = build_email(email, attachments)
        return await self.senders.email.send_email(email.from_address, [email.to], message)

    async def record(self, outcomes: list[tuple[Claimed, SendResult | DeliveryFailure]]) -> None:
        """Every outcome of a batch in one transaction: a crash before it resends the batch,
        each email with its Message-ID, rather than paying a commit per message."""
        sent = [(d, result) for d, result in outcomes if isinstance(result, SendResult)]
        failed = [(d, failure) for d, failure in outcomes if isinstance(failure, DeliveryFailure)]
        async with self.database.sessions.begin() as session:
            if sent:
                await self._sent(session, sent)
            if failed:
                deliveries = {
                    delivery.id: delivery
                    for delivery in await session.scalars(
                        select(Delivery)
                        .where(Delivery.id.in_([claimed.id for claimed, _ in failed]))
                        .options(defer(Delivery.content))
                    )
                }
                for claimed, failure in failed:
                    await self._failed(session, deliveries[claimed.id], failure)

    async def _sent(self, session: AsyncSession, sent: list[tuple[Claimed, SendResult]]) -> None:
        # Statements run once for the whole batch (executemany): the common case, a batch
        # of successes, costs three round trips however large it is.
        now = utcnow()
        table = Delivery.__table__
        await session.execute(
            update(table)
            .where(table.c.id == bindparam("delivery_id"))
            .values(
                status="sent",
                finished_at=now,
                attempts=table.c.attempts + 1,
                provider_id=bindparam("sent_provider_id"),
                content=None,
                claimed_until=None,
                next_attempt_at=None,
            ),
            [
                {"delivery_id": claimed.id, "sent_provider_id": result.provider_id}
                for claimed, result in sent
            ],
        )
        await session.execute(
            insert(DeliveryAttempt.__table__),
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
            await emit(
                session,
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

    async def _failed(
        self, session: AsyncSession, delivery: Delivery, failure: DeliveryFailure
    ) -> None:
        permanent = isinstance(failure, PermanentFailure)
        now = utcnow()
        delivery.attempts += 1
        delivery.last_error = failure.reason[:2000]
        delivery.claimed_until = None
        delays = self.settings.retry_delays
        gives_up = permanent or delivery.attempts > len(delays)
        session.add(
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
            await emit(session, failed_event(delivery, failure.reason, permanent=permanent))
        else:
            delivery.next_attempt_at = now + timedelta(seconds=delays[delivery.attempts - 1])
        log.warning(
            "delivery failed",
            delivery_id=str(delivery.id),
            reason=failure.reason,
            permanent=permanent,
            gave_up=gives_up,
        )


async def run_dispatcher(runtime: Runtime) -> None:
    """The worker role's background loop (``Service.background``)."""
    settings = notifier_settings()
    senders = create_senders(settings, runtime.settings)
    dispatcher = Dispatcher(runtime.database, runtime.store, senders, settings)
    try:
        await dispatcher.run()
    finally:
        # What was sent is recorded before the process stops, or it would be sent again.
        with contextlib.suppress(Exception):
            await dispatcher.recorded()
        await senders.close()
