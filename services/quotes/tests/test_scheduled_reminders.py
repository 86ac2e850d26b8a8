"""Reminders scheduled before a quote's last valid day: the pure choice of the one due, and
the hourly run that reminds each quote once per scheduled day."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select, update

from portico.contracts.events.quotes import QuoteReminded
from portico.kit.db import utcnow
from portico.kit.jobs import Job
from portico.kit.tables import jobs_table
from portico.kit.testing.services import RunningPortico
from portico.quotes.models import Quote
from portico.quotes.quotes.scheduled_reminders import PLAN, REMIND, due_reminder, plan_reminders
from portico.quotes.testing import QUOTES, SETTINGS, make_client, make_quote, send, simple_quote

LAST_DAY = date(2026, 12, 20)
LONG_AGO = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


def test_the_nearest_reminder_whose_day_has_come_is_the_one_due() -> None:
    def due(today: date, sent_at: datetime = LONG_AGO) -> int | None:
        return due_reminder(LAST_DAY, sent_at, [7, 2], today)

    assert due(date(2026, 12, 12)) is None  # eight days before: none yet
    assert due(date(2026, 12, 13)) == 7
    assert due(date(2026, 12, 17)) == 7
    assert due(date(2026, 12, 18)) == 2  # the seven-day one passed: only the nearest
    assert due(date(2026, 12, 20)) == 2  # the last day still counts
    assert due(date(2026, 12, 21)) is None  # lapsed
    # Sent after the seven-day reminder's day: that one is skipped, the two-day one comes.
    late = datetime(2026, 12, 15, 10, 0, tzinfo=UTC)
    assert due(date(2026, 12, 15), late) is None
    assert due(date(2026, 12, 18), late) == 2
    assert due_reminder(LAST_DAY, LONG_AGO, [], date(2026, 12, 19)) is None


async def plan(portico: RunningPortico) -> None:
    jobs = portico.runtime("quotes").jobs
    assert jobs is not None
    job = Job(
        id=str(uuid.uuid4()), kind=PLAN, payload={}, tries=1, is_last_try=False, run_at=utcnow()
    )
    await plan_reminders(jobs.context, job)


async def test_a_quote_near_its_last_day_is_reminded_once_per_scheduled_day(
    portico: RunningPortico, admin: dict[str, str]
) -> None:
    saved = await portico.http.put(
        SETTINGS, json={"reminder_days_before": [2, 7, 7]}, headers=admin
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["reminder_days_before"] == [7, 2]

    client = await make_client(portico, admin)
    staff = portico.headers("staff")
    near = await make_quote(portico, staff, simple_quote(client, title="Near its end"))
    fresh = await make_quote(portico, staff, simple_quote(client, title="Just sent"))
    for quote in (near, fresh):
        assert (await send(portico, staff, quote)).status_code == 200
    today = utcnow().date()
    async with portico.runtime("quotes").database.transaction() as tx:
        # Sent three weeks ago, two days to go: the two-day reminder (the week's passed).
        await tx.execute(
            update(Quote)
            .where(Quote.id == uuid.UUID(near["id"]))
            .values(valid_until=today + timedelta(days=2), sent_at=utcnow() - timedelta(days=21))
        )
        # Sent just now with five days to go: the week's reminder fell before it was sent.
        await tx.execute(
            update(Quote)
            .where(Quote.id == uuid.UUID(fresh["id"]))
            .values(valid_until=today + timedelta(days=5))
        )

    await plan(portico)
    await plan(portico)  # a run repeated enqueues nothing more

    [envelope] = await portico.events.wait_for(QuoteReminded.event_type, subject=near["id"])
    event = envelope.event()
    assert isinstance(event, QuoteReminded) and event.reminder_number == 1
    async with portico.runtime("quotes").database.sessions() as session:
        planned = await session.scalar(
            select(func.count()).select_from(jobs_table).where(jobs_table.c.kind == REMIND)
        )
    assert planned == 1
    steps = (await portico.http.get(f"{QUOTES}/{near['id']}/history", headers=staff)).json()
    [reminded] = [step for step in steps["items"] if step["kind"] == "reminded"]
    assert reminded["detail"]["days_before"] == 2 and reminded["staff_id"] is None
    assert portico.events.of_type(QuoteReminded.event_type, subject=fresh["id"]) == []
