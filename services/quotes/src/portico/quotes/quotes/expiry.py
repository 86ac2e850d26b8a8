"""Quotes out with a client (sent or viewed) whose last valid day has passed become expired:
a job every hour finds them, and the online page expires one it opens before the job came.

Each quote is expired in a transaction of its own, its row locked and its status and date
read again inside: a run repeated, two runs at once, or a run and a visit of the page change
it once. Its links keep working (the client can still read an offer that lapsed and ask
for a new one); staff reopen it as a draft to send it again with a new date.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from portico.kit.db import utcnow
from portico.kit.jobs import Job, JobContext, JobInterrupted, JobTable, Schedule
from portico.kit.transaction import Transaction
from portico.quotes import history
from portico.quotes.history import HistoryKind
from portico.quotes.models import Quote
from portico.quotes.statuses import QuoteAction, QuoteStatus, transition

EXPIRE = "quotes.expire_quotes"
# The statuses of an offer awaiting the client's answer.
AWAITING = (QuoteStatus.SENT, QuoteStatus.VIEWED)


def is_past(quote: Quote, today: date) -> bool:
    """``valid_until`` is the last day the quote can be accepted (UTC, as it was issued)."""
    return quote.valid_until < today


def expire_if_due(tx: Transaction, quote: Quote, today: date) -> bool:
    """Expire ``quote`` (locked by the caller) when it awaits an answer past its last valid
    day; a quote already answered, expired or withdrawn is left as it is."""
    if QuoteStatus(quote.status) not in AWAITING or not is_past(quote, today):
        return False
    quote.status = transition(QuoteStatus(quote.status), QuoteAction.EXPIRE)
    quote.updated_at = utcnow()
    history.record(
        tx, quote, HistoryKind.EXPIRED, detail={"valid_until": quote.valid_until.isoformat()}
    )
    return True


async def expire_quotes(context: JobContext, job: Job) -> None:
    today = utcnow().date()
    async with context.database.sessions() as session:
        due = list(
            await session.scalars(
                select(Quote.id).where(Quote.status.in_(AWAITING), Quote.valid_until < today)
            )
        )
    for quote_id in due:
        if context.stopping.is_set():
            # Every quote expired so far is committed; the next runner does the rest.
            raise JobInterrupted
        async with context.database.transaction() as tx:
            quote = await tx.locked(Quote, quote_id)
            if quote is not None:
                expire_if_due(tx, quote, today)


SCHEDULES = [Schedule(name="expire-quotes", kind=EXPIRE, every=timedelta(hours=1))]
JOBS: JobTable = {EXPIRE: expire_quotes}
