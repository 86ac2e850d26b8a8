"""An invoice's life: issued, then paid or void, both final.

    issued ──paid──▶ paid
       └────void───▶ void

What an invoice bills never changes; a mistake found after it is issued is voided (its
number stays in the sequence, as a void quote's does) and the quote's work billed again
by a credit note and a new invoice, which come later.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum


class InvoiceStatus(StrEnum):
    ISSUED = "issued"
    PAID = "paid"
    VOID = "void"


class InvoiceAction(StrEnum):
    PAY = "paid"
    VOID = "void"


TRANSITIONS: Mapping[tuple[InvoiceStatus, InvoiceAction], InvoiceStatus] = {
    (InvoiceStatus.ISSUED, InvoiceAction.PAY): InvoiceStatus.PAID,
    (InvoiceStatus.ISSUED, InvoiceAction.VOID): InvoiceStatus.VOID,
}
_PAST: Mapping[InvoiceAction, str] = {
    InvoiceAction.PAY: "marked paid",
    InvoiceAction.VOID: "voided",
}
_WHY_NOT: Mapping[InvoiceStatus, str] = {
    InvoiceStatus.PAID: "it is already paid",
    InvoiceStatus.VOID: "it is void",
}


class RefusedInvoiceChange(ValueError):
    """An action the invoice's status does not allow; the message says why."""

    def __init__(self, current: InvoiceStatus, action: InvoiceAction) -> None:
        self.current = current
        self.action = action
        super().__init__(f"This invoice cannot be {_PAST[action]}: {_WHY_NOT[current]}.")


def transition(current: InvoiceStatus, action: InvoiceAction) -> InvoiceStatus:
    """The status ``action`` leads to from ``current``; raises ``RefusedInvoiceChange``."""
    try:
        return TRANSITIONS[(InvoiceStatus(current), InvoiceAction(action))]
    except KeyError:
        raise RefusedInvoiceChange(InvoiceStatus(current), InvoiceAction(action)) from None


def allowed_actions(current: InvoiceStatus) -> frozenset[InvoiceAction]:
    return frozenset(action for status, action in TRANSITIONS if status == current)
