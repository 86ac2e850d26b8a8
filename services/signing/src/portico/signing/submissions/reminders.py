"""Reminders to sign, the last call before expiry, and expiry itself.

A scheduled job (every few minutes) looks at the open submissions: one past its expiry is
closed as expired; a submitter whose turn it is and who has not acted is reminded after
each of the schedule's days since their link was sent, and warned once its last-call days
before the expiry (the schedule: ``reminder_settings``). Staff can also remind on demand.
Each message carries a new link (the earlier ones keep working). Each submission is locked
while it is looked at, and the counters are kept with it, so a job run twice sends nothing
twice.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select

from portico.contracts.events.signing import SubmissionExpiring, SubmissionReminded
from portico.kit.db import utcnow
from portico.kit.jobs import Job, JobContext, JobTable, Schedule
from portico.kit.settings import PorticoSettings
from portico.kit.transaction import Transaction
from portico.signing.models import Submission, Submitter
from portico.signing.settings import SigningSettings, signing_settings
from portico.signing.submissions import audit
from portico.signing.submissions.expiry import expire
from portico.signing.submissions.reminder_settings import ReminderPlan, reminder_plan
from portico.signing.submissions.sending import signing_request
from portico.signing.submissions.states import ACTING, CLOSED, Kind, Status, SubmitterStatus

FOLLOW_UP = "signing.follow_up_submissions"


def reminder_due(
    sent_at: datetime, reminders_sent: int, days: Sequence[int], now: datetime
) -> bool:
    """Whether the next scheduled reminder is due: one after each of ``days`` days."""
    if reminders_sent >= len(days):
        return False
    return now >= sent_at + timedelta(days=sorted(days)[reminders_sent])


def last_call_due(
    expires_at: datetime | None, warned: bool, days_before: int, now: datetime
) -> bool:
    if expires_at is None or warned or days_before <= 0:
        return False
    return expires_at - timedelta(days=days_before) <= now < expires_at


def awaited(submission: Submission) -> list[Submitter]:
    """The submitters whose turn it is and who have not acted yet."""
    return [
        s
        for s in submission.submitters
        if Kind(s.kind) in ACTING and s.status in (SubmitterStatus.SENT, SubmitterStatus.OPENED)
    ]


async def remind(
    tx: Transaction,
    submission: Submission,
    submitter: Submitter,
    *,
    settings: SigningSettings,
    links: PorticoSettings,
    actor: str | None = None,
) -> None:
    submitter.reminders_sent += 1
    submitter.last_reminded_at = utcnow()
    request = signing_request(tx, submission, submitter, settings=settings, links=links)
    tx.emit(SubmissionReminded(**request, reminder_number=submitter.reminders_sent))
    await audit.record(
        tx,
        submission,
        "reminded",
        submitter=submitter,
        actor=actor,
        details={"reminder": str(submitter.reminders_sent)},
    )


async def warn(
    tx: Transaction,
    submission: Submission,
    submitter: Submitter,
    *,
    settings: SigningSettings,
    links: PorticoSettings,
) -> None:
    assert submission.expires_at is not None
    submitter.warned_at = utcnow()
    request = signing_request(tx, submission, submitter, settings=settings, links=links)
    tx.emit(SubmissionExpiring(**request))
    await audit.record(tx, submission, "last_call", submitter=submitter)


async def follow_up(
    tx: Transaction,
    submission: Submission,
    plan: ReminderPlan,
    settings: SigningSettings,
    links: PorticoSettings,
) -> None:
    """Expire, remind or warn ``submission`` (locked) as its dates say."""
    now = utcnow()
    if Status(submission.status) in CLOSED:
        return
    if submission.expires_at is not None and submission.expires_at <= now:
        await expire(tx, submission, links)
        return
    for submitter in awaited(submission):
        if submitter.sent_at is None:
            continue
        if last_call_due(
            submission.expires_at, submitter.warned_at is not None, plan.last_call_days, now
        ):
            await warn(tx, submission, submitter, settings=settings, links=links)
        elif reminder_due(submitter.sent_at, submitter.reminders_sent, plan.reminder_days, now):
            await remind(tx, submission, submitter, settings=settings, links=links)


async def follow_up_submissions(context: JobContext, job: Job) -> None:
    settings = signing_settings()
    async with context.database.sessions() as session:
        plan = await reminder_plan(session, settings)
        open_ids: list[uuid.UUID] = list(
            (
                await session.execute(
                    select(Submission.id).where(Submission.status.not_in([s.value for s in CLOSED]))
                )
            )
            .scalars()
            .all()
        )
    for submission_id in open_ids:
        async with context.database.transaction() as tx:
            submission = await audit.locked(tx, submission_id)
            if submission is not None:
                await follow_up(tx, submission, plan, settings, context.settings)


SCHEDULES = [Schedule(name="follow-up-submissions", kind=FOLLOW_UP, every=timedelta(minutes=5))]
JOBS: JobTable = {FOLLOW_UP: follow_up_submissions}
