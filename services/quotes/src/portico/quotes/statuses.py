"""A quote's life: its statuses, the actions that move it, and why a refused one is refused.

    draft ──send──▶ sent ──view──▶ viewed
                     │               │
                     ├──accept───────┼──▶ accepted ──invoice──▶ invoiced
                     ├──decline──────┼──▶ declined      └─order──▶ ordered
                     └──expire───────┴──▶ expired

- ``send``: draft → sent. The number is assigned at the first send (the database's work);
  a reminder or the link sent again is not a change of status.
- ``view``: sent → viewed when the client first opens the online page; viewed → viewed, so
  the page need not ask first. Opening a quote in any later status changes nothing and
  is refused here: the caller records the visit without a transition.
- ``accept`` (the client signs, or staff record an acceptance given otherwise) and
  ``decline``: from sent or viewed only. Signing a draft (never sent), an expired, void,
  declined or already accepted quote is refused with a message saying which.
- ``expire``: sent or viewed → expired, by the job that reads valid-until. A draft has
  no offer to expire; an accepted quote was signed in time.
- ``invoice`` and ``order``: accepted → invoiced or ordered; both are final. A quote
  accepted by phone is first marked accepted, so every invoiced quote went through it.
- ``void``: from any status but invoiced, ordered and void itself. A draft is voided
  rather than deleted when it already has a number (reopened after a send), keeping the
  sequence without gaps; an accepted quote may be voided when the deal falls through.
  Once invoiced or ordered, the way back is a credit note or a cancelled order.
- ``reopen`` (reopen as draft): sent, viewed, declined or expired → draft, to change it
  and send it again (with a new valid-until); it keeps its number. An accepted quote is
  not reopened: what the client signed must stay as signed; make a new quote.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class QuoteStatus(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    VIEWED = "viewed"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    INVOICED = "invoiced"
    ORDERED = "ordered"
    VOID = "void"


class QuoteAction(StrEnum):
    SEND = "send"
    VIEW = "view"
    ACCEPT = "accept"
    DECLINE = "decline"
    EXPIRE = "expire"
    INVOICE = "invoice"
    ORDER = "order"
    VOID = "void"
    REOPEN = "reopen"


S = QuoteStatus
A = QuoteAction

TRANSITIONS: Mapping[tuple[QuoteStatus, QuoteAction], QuoteStatus] = {
    (S.DRAFT, A.SEND): S.SENT,
    (S.SENT, A.VIEW): S.VIEWED,
    (S.VIEWED, A.VIEW): S.VIEWED,
    **{(status, A.ACCEPT): S.ACCEPTED for status in (S.SENT, S.VIEWED)},
    **{(status, A.DECLINE): S.DECLINED for status in (S.SENT, S.VIEWED)},
    **{(status, A.EXPIRE): S.EXPIRED for status in (S.SENT, S.VIEWED)},
    (S.ACCEPTED, A.INVOICE): S.INVOICED,
    (S.ACCEPTED, A.ORDER): S.ORDERED,
    **{
        (status, A.VOID): S.VOID
        for status in (S.DRAFT, S.SENT, S.VIEWED, S.ACCEPTED, S.DECLINED, S.EXPIRED)
    },
    **{(status, A.REOPEN): S.DRAFT for status in (S.SENT, S.VIEWED, S.DECLINED, S.EXPIRED)},
}

# Why an action is refused in a status: first the reasons specific to the action, then
# the status's own, which suit every action it refuses.
_WHY_NOT: Mapping[tuple[QuoteStatus, QuoteAction], str] = {
    (S.DRAFT, A.VIEW): "it has not been sent",
    (S.DRAFT, A.ACCEPT): "it has not been sent",
    (S.DRAFT, A.DECLINE): "it has not been sent",
    (S.DRAFT, A.EXPIRE): "it has not been sent, so it has no offer to expire",
    (S.DRAFT, A.INVOICE): "it has not been accepted",
    (S.DRAFT, A.ORDER): "it has not been accepted",
    (S.DRAFT, A.REOPEN): "it is already a draft",
    (S.SENT, A.SEND): "it has already been sent",
    (S.VIEWED, A.SEND): "it has already been sent",
    (S.SENT, A.INVOICE): "it has not been accepted",
    (S.VIEWED, A.INVOICE): "it has not been accepted",
    (S.SENT, A.ORDER): "it has not been accepted",
    (S.VIEWED, A.ORDER): "it has not been accepted",
    (S.ACCEPTED, A.REOPEN): "what the client signed stays as signed; make a new quote",
    (S.ACCEPTED, A.EXPIRE): "it was accepted before its validity ended",
    (S.DECLINED, A.SEND): "it was declined; reopen it as a draft to send it again",
    (S.EXPIRED, A.SEND): "it has expired; reopen it as a draft to send it again",
    (S.EXPIRED, A.ACCEPT): "it has expired; it can be sent again with a new validity date",
    (S.INVOICED, A.VOID): "it has been invoiced; cancel the invoice with a credit note",
    (S.ORDERED, A.VOID): "it has been ordered; cancel the order instead",
}
_STATUS_WHY_NOT: Mapping[QuoteStatus, str] = {
    S.ACCEPTED: "it is already accepted",
    S.DECLINED: "it was declined",
    S.EXPIRED: "it has expired",
    S.INVOICED: "it is already accepted and invoiced",
    S.ORDERED: "it is already accepted and ordered",
    S.VOID: "it is void",
}


class RefusedTransition(ValueError):
    """An action the quote's status does not allow; the message says why, for staff or the
    client to read."""

    def __init__(self, current: QuoteStatus, action: QuoteAction) -> None:
        self.current = current
        self.action = action
        self.reason = _WHY_NOT.get((current, action)) or _STATUS_WHY_NOT[current]
        super().__init__(f"This quote cannot be {_PAST[action]}: {self.reason}.")


_PAST: Mapping[QuoteAction, str] = {
    A.SEND: "sent",
    A.VIEW: "viewed",
    A.ACCEPT: "accepted",
    A.DECLINE: "declined",
    A.EXPIRE: "expired",
    A.INVOICE: "invoiced",
    A.ORDER: "ordered",
    A.VOID: "voided",
    A.REOPEN: "reopened as a draft",
}


def transition(current: QuoteStatus, action: QuoteAction) -> QuoteStatus:
    """The status ``action`` leads to from ``current``; raises ``RefusedTransition``."""
    try:
        return TRANSITIONS[(QuoteStatus(current), QuoteAction(action))]
    except KeyError:
        raise RefusedTransition(QuoteStatus(current), QuoteAction(action)) from None


def allowed_actions(current: QuoteStatus) -> frozenset[QuoteAction]:
    """What can be done to a quote in ``current``: the buttons staff and the client see."""
    return frozenset(action for status, action in TRANSITIONS if status == current)
