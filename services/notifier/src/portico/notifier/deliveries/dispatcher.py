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
from datetime import timedelta
from typing import Any

import structlog
from sqlalchemy import func, or_, select, update
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

    async def run(self) -> None:
        while True:
            try:
                claimed = await self.dispatch_once()
            except Exception:
                log.exception("dispatcher pass failed; trying again shortly")
                await asyncio.sleep(1.0)
                continue
            if claimed < self.settings.dispatch_batch:
                await self._wait_for_work()

    async def dispatch_once(self) -> int:
        """Sends one batch of due deliveries; answers how many it claimed."""
        self.due.clear()
        claimed = await self.claim()
        if claimed:
            outcomes = [
                (delivery_id, await self._attempt(channel, content))
                for delivery_id, channel, content in claimed
            ]
            await self.record(outcomes)
        return len(claimed)

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

    async def claim(self) -> list[tuple[uuid.UUID, str, dict[str, Any]]]:
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
                .returning(Delivery.id, Delivery.channel, Delivery.content)
            )
            return [(row.id, row.channel, dict(row.content)) for row in rows if row.content]

    async def _attempt(self, channel: str, content: dict[str, Any]) -> SendResult | DeliveryFailure:
        try:
            return await self._send(channel, content)
        except DeliveryFailure as failure:
            return failure
        except Exception as error:
            log.exception("delivery crashed", channel=channel)
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

    async def record(self, outcomes: list[tuple[uuid.UUID, SendResult | DeliveryFailure]]) -> None:
        """Every outcome of a batch in one transaction: a crash before it resends the batch,
        each email with its Message-ID, rather than paying a commit per message."""
        async with self.database.sessions.begin() as session:
            deliveries = {
                delivery.id: delivery
                for delivery in await session.scalars(
                    select(Delivery)
                    .where(Delivery.id.in_([key for key, _ in outcomes]))
                    # Sent or not, the content is not read again here: skip parsing it.
                    .options(defer(Delivery.content))
                )
            }
            for delivery_id, outcome in outcomes:
                delivery = deliveries[delivery_id]
                if isinstance(outcome, DeliveryFailure):
                    await self._failed(session, delivery, outcome)
                else:
                    await self._sent(session, delivery, outcome)

    async def _sent(self, session: AsyncSession, delivery: Delivery, result: SendResult) -> None:
        now = utcnow()
        delivery.status, delivery.finished_at = "sent", now
        delivery.attempts += 1
        delivery.provider_id = result.provider_id
        delivery.content = None
        delivery.claimed_until = delivery.next_attempt_at = None
        session.add(
            DeliveryAttempt(
                delivery_id=delivery.id, at=now, outcome="sent", provider_id=result.provider_id
            )
        )
        await emit(
            session,
            NotificationDelivered(
                delivery_id=delivery.id,
                source_event_id=delivery.event_id,
                source_event_type=delivery.event_type,
                channel=delivery.channel,
                recipient_id=delivery.recipient_id,
                recipient=mask(delivery.recipient),
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
        await senders.close()
