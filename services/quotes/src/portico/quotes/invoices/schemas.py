"""Request and response bodies of invoices and orders. Amounts are answered as strings, as
a quote's: money is never a float."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from portico.contracts.events.common import Amount
from portico.quotes.invoices.statuses import InvoiceAction, InvoiceStatus
from portico.quotes.quotes.schemas import DiscountOut, IssueDate, SectionOut, TotalsOut


class InvoiceIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"due_on": None}]})

    due_on: IssueDate | None = Field(
        default=None,
        description="The day payment is due: the issue date plus 30 days by default",
    )


class BilledLine(BaseModel):
    """A line of the accepted quote the invoice bills: an optional line only when chosen."""

    section: str | None
    description: str
    quantity: Amount
    unit: str
    unit_price: Amount
    vat_rate: Amount
    discount: DiscountOut | None
    net: Amount = Field(description="Quantity x unit price less its discount, rounded")


class BilledContent(BaseModel):
    """What an invoice bills, taken from the accepted quote when it is issued and kept as
    it was: the sections that have a line billed, the lines, and the totals by VAT rate."""

    sections: list[SectionOut]
    lines: list[BilledLine]
    totals: TotalsOut


class InvoiceOut(BaseModel):
    id: uuid.UUID
    number: str
    status: InvoiceStatus
    allowed_actions: list[InvoiceAction]
    quote_id: uuid.UUID | None
    client_id: uuid.UUID
    client_name: str
    contact_id: uuid.UUID | None
    title: str
    currency: str
    decimals: int = Field(description="The currency's decimals, to which amounts are rounded")
    locale: Literal["fr", "en"]
    issue_date: date
    due_on: date
    sections: list[SectionOut]
    lines: list[BilledLine]
    totals: TotalsOut
    created_at: datetime
    created_by: uuid.UUID | None


class InvoiceSummary(BaseModel):
    id: uuid.UUID
    number: str
    status: InvoiceStatus
    quote_id: uuid.UUID | None
    client_id: uuid.UUID
    client_name: str
    title: str
    total_with_tax: Amount
    currency: str
    issue_date: date
    due_on: date
    created_at: datetime
