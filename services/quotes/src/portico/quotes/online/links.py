"""Opening a quote's link: the token in ``/q/<token>`` is the credential of whoever holds it
(the contact it was sent to), as a signing link is for a signer. Only its SHA-256 is kept
(``portico.kit.auth.capabilities``); the row is found by that hash.

An unknown token, an expired or revoked link, and a link to a quote withdrawn since (voided,
or reopened as a draft to be changed: both revoke its links) get the same 404 and the same
words: whoever tries tokens learns nothing from the answer, and a client whose link no
longer works is told what to do.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from portico.kit.auth.capabilities import hash_capability
from portico.kit.db import utcnow
from portico.kit.problems import NotFound
from portico.kit.transaction import Transaction
from portico.quotes.models import Quote, QuoteLink
from portico.quotes.quotes.service import quote_of
from portico.quotes.statuses import QuoteStatus

NOT_OPEN = (
    "This link does not open a quote: it may have expired or the quote may have been "
    "withdrawn. Ask the sender for a new link."
)
# A quote in these is not an offer the client may read: a draft is being changed, a void
# one was withdrawn. Both revoked their links already; checked again in case a link was
# read just before.
WITHDRAWN = (QuoteStatus.DRAFT, QuoteStatus.VOID)


@dataclass
class Opened:
    """What a link opens: the link (whose contact acts) and its quote, sections and lines."""

    link: QuoteLink
    quote: Quote


async def open_link(tx: Transaction, token: str, *, lock: bool = False) -> Opened:
    """The link and quote ``token`` opens, or the 404 above. ``lock`` holds the quote until
    the transaction ends, its status read after the lock: two tabs answering at the same
    moment act one after the other, the second seeing the first's answer."""
    link = await tx.scalar(select(QuoteLink).where(QuoteLink.token_hash == hash_capability(token)))
    if link is None or not link.usable_at(utcnow()):
        raise NotFound(NOT_OPEN)
    quote = await quote_of(tx, link.quote_id, lock=lock)
    if QuoteStatus(quote.status) in WITHDRAWN:
        raise NotFound(NOT_OPEN)
    return Opened(link=link, quote=quote)
