"""A quote's life: every allowed move, and refused ones with the reason staff or the
client read."""

from __future__ import annotations

import pytest

from portico.quotes.statuses import (
    TRANSITIONS,
    QuoteAction,
    QuoteStatus,
    RefusedTransition,
    allowed_actions,
    transition,
)

S = QuoteStatus
A = QuoteAction

ALLOWED = [
    (S.DRAFT, A.SEND, S.SENT),
    (S.DRAFT, A.VOID, S.VOID),
    (S.SENT, A.VIEW, S.VIEWED),
    (S.SENT, A.ACCEPT, S.ACCEPTED),
    (S.SENT, A.DECLINE, S.DECLINED),
    (S.SENT, A.EXPIRE, S.EXPIRED),
    (S.SENT, A.VOID, S.VOID),
    (S.SENT, A.REOPEN, S.DRAFT),
    (S.VIEWED, A.VIEW, S.VIEWED),
    (S.VIEWED, A.ACCEPT, S.ACCEPTED),
    (S.VIEWED, A.DECLINE, S.DECLINED),
    (S.VIEWED, A.EXPIRE, S.EXPIRED),
    (S.VIEWED, A.VOID, S.VOID),
    (S.VIEWED, A.REOPEN, S.DRAFT),
    (S.ACCEPTED, A.INVOICE, S.INVOICED),
    (S.ACCEPTED, A.ORDER, S.ORDERED),
    (S.ACCEPTED, A.VOID, S.VOID),
    (S.DECLINED, A.VOID, S.VOID),
    (S.DECLINED, A.REOPEN, S.DRAFT),
    (S.EXPIRED, A.VOID, S.VOID),
    (S.EXPIRED, A.REOPEN, S.DRAFT),
]


@pytest.mark.parametrize(("current", "action", "new"), ALLOWED)
def test_an_allowed_action_moves_the_quote(
    current: QuoteStatus, action: QuoteAction, new: QuoteStatus
) -> None:
    assert transition(current, action) is new


def test_the_table_allows_those_moves_and_no_other() -> None:
    assert sorted(TRANSITIONS.items()) == sorted(((c, a), n) for c, a, n in ALLOWED)


def test_the_values_as_stored_are_accepted() -> None:
    assert transition("viewed", "accept") is S.ACCEPTED  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("current", "action", "message"),
    [
        (
            S.EXPIRED,
            A.ACCEPT,
            "This quote cannot be accepted: it has expired; it can be sent again with a new "
            "validity date.",
        ),
        (S.VOID, A.ACCEPT, "This quote cannot be accepted: it is void."),
        (S.DECLINED, A.ACCEPT, "This quote cannot be accepted: it was declined."),
        (S.ACCEPTED, A.ACCEPT, "This quote cannot be accepted: it is already accepted."),
        (
            S.INVOICED,
            A.ACCEPT,
            "This quote cannot be accepted: it is already accepted and invoiced.",
        ),
        (S.ORDERED, A.ACCEPT, "This quote cannot be accepted: it is already accepted and ordered."),
        (S.DRAFT, A.ACCEPT, "This quote cannot be accepted: it has not been sent."),
        (S.ACCEPTED, A.DECLINE, "This quote cannot be declined: it is already accepted."),
        (S.EXPIRED, A.DECLINE, "This quote cannot be declined: it has expired."),
        (S.SENT, A.SEND, "This quote cannot be sent: it has already been sent."),
        (
            S.EXPIRED,
            A.SEND,
            "This quote cannot be sent: it has expired; reopen it as a draft to send it again.",
        ),
        (
            S.DECLINED,
            A.SEND,
            "This quote cannot be sent: it was declined; reopen it as a draft to send it again.",
        ),
        (S.VIEWED, A.INVOICE, "This quote cannot be invoiced: it has not been accepted."),
        (S.DRAFT, A.ORDER, "This quote cannot be ordered: it has not been accepted."),
        (S.INVOICED, A.ORDER, "This quote cannot be ordered: it is already accepted and invoiced."),
        (
            S.ACCEPTED,
            A.EXPIRE,
            "This quote cannot be expired: it was accepted before its validity ended.",
        ),
        (
            S.DRAFT,
            A.EXPIRE,
            "This quote cannot be expired: it has not been sent, so it has no offer to expire.",
        ),
        (
            S.ACCEPTED,
            A.REOPEN,
            "This quote cannot be reopened as a draft: what the client signed stays as signed; "
            "make a new quote.",
        ),
        (S.VOID, A.REOPEN, "This quote cannot be reopened as a draft: it is void."),
        (S.DRAFT, A.REOPEN, "This quote cannot be reopened as a draft: it is already a draft."),
        (
            S.INVOICED,
            A.VOID,
            "This quote cannot be voided: it has been invoiced; cancel the invoice with a "
            "credit note.",
        ),
        (
            S.ORDERED,
            A.VOID,
            "This quote cannot be voided: it has been ordered; cancel the order instead.",
        ),
        (S.VOID, A.VOID, "This quote cannot be voided: it is void."),
        (S.DRAFT, A.VIEW, "This quote cannot be viewed: it has not been sent."),
        (S.ACCEPTED, A.VIEW, "This quote cannot be viewed: it is already accepted."),
    ],
)
def test_a_refused_action_says_why(current: QuoteStatus, action: QuoteAction, message: str) -> None:
    with pytest.raises(RefusedTransition) as refused:
        transition(current, action)
    assert str(refused.value) == message
    assert (refused.value.current, refused.value.action) == (current, action)


@pytest.mark.parametrize("current", list(QuoteStatus))
def test_every_refused_action_has_a_reason(current: QuoteStatus) -> None:
    for action in set(QuoteAction) - allowed_actions(current):
        with pytest.raises(RefusedTransition) as refused:
            transition(current, action)
        assert refused.value.reason
        assert str(refused.value).startswith("This quote cannot be ")


@pytest.mark.parametrize(
    ("current", "actions"),
    [
        (S.DRAFT, {A.SEND, A.VOID}),
        (S.SENT, {A.VIEW, A.ACCEPT, A.DECLINE, A.EXPIRE, A.VOID, A.REOPEN}),
        (S.ACCEPTED, {A.INVOICE, A.ORDER, A.VOID}),
        (S.EXPIRED, {A.VOID, A.REOPEN}),
        (S.INVOICED, set()),
        (S.ORDERED, set()),
        (S.VOID, set()),
    ],
)
def test_the_actions_offered_follow_the_table(
    current: QuoteStatus, actions: set[QuoteAction]
) -> None:
    assert allowed_actions(current) == actions


def test_an_unknown_action_is_not_a_refusal_but_an_error() -> None:
    with pytest.raises(ValueError, match="'sign' is not a valid QuoteAction"):
        transition(S.SENT, "sign")  # type: ignore[arg-type]
