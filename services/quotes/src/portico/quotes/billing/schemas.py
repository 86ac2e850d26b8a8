"""What the client portal's billing section answers: a client's sent quotes and invoices,
and one invoice as it was issued. Amounts are strings, as everywhere: money is never a
float. Staff's fields (the actions their status allows, who issued them) are left out."""

from __future__ import annotations

import uuid
from datetime import date

from pydantic import BaseModel, Field

from portico.contracts.events.common import Amount
from portico.quotes.invoices.schemas import BilledLine
from portico.quotes.invoices.statuses import InvoiceStatus
from portico.quotes.quotes.schemas import SectionOut, TotalsOut
from portico.quotes.statuses import QuoteStatus


class BilledQuote(BaseModel):
    id: uuid.UUID
    number: str
    title: str
    status: QuoteStatus
    total_with_tax: Amount
    currency: str
    issue_date: date
    valid_until: date
    pdf_path: str = Field(
        description="Where the client downloads it with their session (no link needed): "
        "the sealed signed quote once accepted"
    )


class BilledInvoice(BaseModel):
    id: uuid.UUID
    number: str
    status: InvoiceStatus
    title: str
    total_with_tax: Amount
    currency: str
    issue_date: date
    due_on: date
    quote_number: str | None = Field(description="The number of the quote it bills")
    pdf_path: str = Field(description="Where the client downloads it as a PDF with their session")


class BillingOut(BaseModel):
    quotes: list[BilledQuote] = Field(description="The quotes sent to the client, newest first")
    invoices: list[BilledInvoice] = Field(description="The client's invoices, newest first")


class ClientInvoiceOut(BaseModel):
    """An invoice as its client reads it: what it bills, kept as it was issued."""

    id: uuid.UUID
    number: str
    status: InvoiceStatus
    quote_number: str | None
    client_name: str
    title: str
    currency: str
    decimals: int = Field(description="The currency's decimals, to which amounts are rounded")
    issue_date: date
    due_on: date
    sections: list[SectionOut]
    lines: list[BilledLine]
    totals: TotalsOut
