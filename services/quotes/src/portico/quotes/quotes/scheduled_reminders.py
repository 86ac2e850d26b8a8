"""Reminders before a quote's last valid day, as the settings schedule them
(``reminder_days_before``: [7, 2] reminds a week before, then two days before).

Every hour a job looks at the quotes awaiting an answer whose last day is near, and adds
one reminder job per quote and scheduled day, keyed by the quote, its last valid day and
the day: a run repeated, or two runners at once, enqueue it once; a quote given a new date
is reminded again for the new one. A reminder due while Portico was stopped is sent when it
comes back, if the quote is still awaiting its answer and valid, and only the nearest one
due: two reminders never go out together. A quote sent after a reminder's day (sent with
five days to go, the seven-day reminder) skips that reminder: it has just arrived.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from portico.kit.db import utcnow
from portico.kit.jobs import Job, JobContext, JobTable, Schedule
from portico.kit.problems import Conflict, NotFound, ValidationProblem
from portico.quotes.models import Quote
from portico.quotes.quote_settings import quote_settings
from portico.quotes.quotes import service
from portico.quotes.quotes.expiry import AWAITING, is_past
from portico.quotes.quotes.schemas import SendIn
from portico.quotes.quotes.sending import remind_quote

PLAN = "quotes.plan_reminders"
REMIND = "quotes.remind_before_expiry"


def due_reminder(
    valid_until: date, sent_at: datetime, days_before: list[int], today: date
) -> int | None:
    """The scheduled reminder of a quote due by ``today``: of the days whose date has come
    while the quote is still valid, and which fell after the quote was sent, the nearest
    its end. One only: a reminder missed (Portico stopped, the quote sent late) is not sent
    beside the next one."""
    due = [
        days
        for days in days_before
        if valid_until - timedelta(days=days) <= today <= valid_until
        and sent_at < datetime.combine(valid_until - timedelta(days=days), time.min, UTC)
    ]
    return min(due, default=None)


async def plan_reminders(context: JobContext, job: Job) -> None:
    today = utcnow().date()
    async with context.database.sessions() as session:
        settings = await quote_settings(session)
        if not settings.reminder_days_before:
            return
        furthest = today + timedelta(days=max(settings.reminder_days_before))
        near = (
            await session.execute(
                select(Quote.id, Quote.valid_until, Quote.sent_at).where(
                    Quote.status.in_(AWAITING),
                    Quote.valid_until >= today,
                    Quote.valid_until <= furthest,
                )
            )
        ).all()
    async with context.database.transaction() as tx:
        for quote_id, valid_until, sent_at in near:
            if sent_at is None:
                continue
            days = due_reminder(valid_until, sent_at, settings.reminder_days_before, today)
            if days is not None:
                await tx.enqueue(
                    REMIND,
                    {"quote_id": str(quote_id), "days_before": days},
                    key=f"remind-before:{quote_id}:{valid_until.isoformat()}:{days}",
                )


async def remind_before_expiry(context: JobContext, job: Job) -> None:
    quote_id = uuid.UUID(job.payload["quote_id"])
    today = utcnow().date()
    assert context.store is not None  # a service's runtime always has its store
    async with context.database.transaction() as tx:
        try:
            quote = await service.quote_of(tx, quote_id, lock=True)
        except NotFound:
            return  # deleted since: nothing to remind
        if quote.status not in AWAITING or is_past(quote, today):
            return  # answered, withdrawn or lapsed since it was planned
        try:
            await remind_quote(
                tx,
                quote,
                SendIn(),
                sent_by=None,
                links=context.settings,
                store=context.store,
                today=today,
                days_before=int(job.payload["days_before"]),
            )
        except (Conflict, ValidationProblem):
            # The client was deleted or its contact left: no one to remind. Staff see the
            # quote still awaiting its answer and send it to someone else.
            return


SCHEDULES = [Schedule(name="plan-quote-reminders", kind=PLAN, every=timedelta(hours=1))]
JOBS: JobTable = {PLAN: plan_reminders, REMIND: remind_before_expiry}
