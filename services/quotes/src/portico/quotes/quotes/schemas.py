"""Request and response bodies of quotes. Amounts and quantities are decimals (a JSON
number or a string such as "480.00"), answered as strings: money is never a float.

A line's and a section's field names are those of ``totals``, so a refusal from there
(``lines.2.discount``) names the field of the body as sent.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

from portico.contracts.events.common import Amount, Locale
from portico.kit.schema import JsonBool
from portico.quotes.statuses import QuoteAction, QuoteStatus
from portico.quotes.totals import DiscountKind

MAX_LINES = 500
MAX_SECTIONS = 50
MAX_TEXT = 20_000
MAX_DESCRIPTION = 5_000
MAX_MESSAGE = 5_000  # what QuoteSent carries
# Dates far enough either way for any quote, near enough that adding a validity to one
# never leaves the calendar.
FIRST_DATE = date(2000, 1, 1)
LAST_DATE = date(2999, 12, 31)


def _no_nul(text: str) -> str:
    # PostgreSQL's text cannot hold it: refused here, not as a database error.
    if "\x00" in text:
        raise PydanticCustomError("nul_character", "cannot contain the NUL character")
    return text


NO_NUL = AfterValidator(_no_nul)
Title = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200), NO_NUL
]
LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_TEXT), NO_NUL]
Description = Annotated[
    str, StringConstraints(strip_whitespace=True, max_length=MAX_DESCRIPTION), NO_NUL
]
Unit = Annotated[str, StringConstraints(strip_whitespace=True, max_length=30), NO_NUL]
Message = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_MESSAGE), NO_NUL]
SectionKey = Annotated[
    str,
    StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,40}$"),
    Field(description="Letters, digits, - and _; at most 40"),
]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. EUR")]
IssueDate = Annotated[date, Field(ge=FIRST_DATE, le=LAST_DATE)]
Quantity = Annotated[
    Decimal,
    Field(max_digits=12, decimal_places=3, description="At most 3 decimals; negative for a credit"),
]
UnitPrice = Annotated[
    Decimal,
    Field(
        max_digits=15,
        decimal_places=4,
        description="Without tax, at most 4 decimals; negative for a credit",
    ),
]
VatRate = Annotated[
    Decimal,
    Field(ge=0, le=100, max_digits=5, decimal_places=2, description="A percentage: 20, 5.5..."),
]
DiscountValue = Annotated[Decimal, Field(max_digits=15, decimal_places=4)]

LINE_EXAMPLE: dict[str, Any] = {
    "section": "design",
    "description": "Design workshop",
    "quantity": "2",
    "unit": "day",
    "unit_price": "480.00",
    "vat_rate": "20",
}
EXAMPLE: dict[str, Any] = {
    "client_id": "3f2b7c1e-8a4d-4e59-9c1a-2b6d7e8f9a01",
    "title": "Rénovation de l'atelier",
    "currency": "EUR",
    "sections": [{"key": "design", "title": "Design"}],
    "lines": [
        LINE_EXAMPLE,
        {
            "description": "Printed brochure",
            "quantity": "100",
            "unit": "piece",
            "unit_price": "1.25",
            "vat_rate": "5.5",
            "optional": True,
        },
    ],
    "discount": {"kind": "percent", "value": "5"},
}


class DiscountIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: DiscountKind = Field(description="percent (0 to 100) or amount (in the currency)")
    value: DiscountValue


class SectionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    key: SectionKey
    title: Title


class LineIn(BaseModel):
    """A line; with a ``product_id``, what it leaves out is copied from the catalogue."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [LINE_EXAMPLE]})

    product_id: uuid.UUID | None = Field(default=None, description="Copy this product")
    section: SectionKey | None = Field(default=None, description="The key of its section")
    description: Description | None = Field(
        default=None, description="Required without a product; the product's name otherwise"
    )
    quantity: Quantity = Decimal(1)
    unit: Unit | None = None
    unit_price: UnitPrice | None = Field(default=None, description="Required without a product")
    vat_rate: VatRate | None = Field(default=None, description="The product's, or 20")
    discount: DiscountIn | None = None
    optional: JsonBool = Field(default=False, description="The client chooses to take it")
    chosen: JsonBool = Field(default=False, description="An optional line taken")


class QuoteIn(BaseModel):
    """A draft's whole content: creating one, or replacing one's (lines and sections)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE]})

    client_id: uuid.UUID
    contact_id: uuid.UUID | None = Field(
        default=None, description="One of the client's contacts; the first by default"
    )
    assignee_id: uuid.UUID | None = Field(
        default=None, description="The staff member in charge; the client's by default"
    )
    title: Title
    currency: Currency = "EUR"
    locale: Locale | None = Field(default=None, description="The contact's by default")
    issue_date: IssueDate | None = Field(default=None, description="Today by default")
    valid_until: IssueDate | None = Field(
        default=None, description="The issue date plus the settings' validity by default"
    )
    introduction: LongText | None = Field(default=None, description="The settings' by default")
    notes: LongText = ""
    terms: LongText | None = Field(default=None, description="The settings' by default")
    discount: DiscountIn | None = Field(default=None, description="On the whole quote")
    sections: list[SectionIn] = Field(default_factory=list, max_length=MAX_SECTIONS)
    lines: list[LineIn] = Field(default_factory=list, max_length=MAX_LINES)


class SendIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"message": "Bonjour Camille, voici notre proposition."}]},
    )

    contact_id: uuid.UUID | None = Field(
        default=None, description="One of the client's contacts; the quote's by default"
    )
    message: Message | None = Field(default=None, description="The email's personal note")
    attach_pdf: JsonBool = Field(
        default=False, description="Attach the quote's PDF to the email, as it is now"
    )
    request_esignature: JsonBool | None = Field(
        default=None,
        description="Ask the client to sign (drawn or typed) to accept the quote; the "
        "organisation's e-signature setting by default. A reminder keeps the send's choice.",
    )


class DiscountOut(BaseModel):
    kind: DiscountKind
    value: Amount


class SectionOut(BaseModel):
    key: str
    title: str
    subtotal: Amount = Field(description="Its counted lines' nets, before the quote's discount")


class LineOut(BaseModel):
    position: int
    section: str | None
    product_id: uuid.UUID | None
    description: str
    quantity: Amount
    unit: str
    unit_price: Amount
    vat_rate: Amount
    discount: DiscountOut | None
    optional: bool
    chosen: bool
    net: Amount = Field(description="Quantity x unit price less its discount, rounded")
    counted: bool = Field(description="In the totals: not optional, or chosen")


class TaxOut(BaseModel):
    rate: Amount
    base: Amount = Field(description="The rate's lines after the quote's discount")
    tax: Amount


class TotalsOut(BaseModel):
    lines_total: Amount
    discount: Amount
    total_without_tax: Amount
    taxes: list[TaxOut] = Field(description="From the highest rate down")
    total_tax: Amount
    total_with_tax: Amount


class QuoteOut(BaseModel):
    id: uuid.UUID
    number: str | None = Field(description="Given at the first send")
    status: QuoteStatus
    allowed_actions: list[QuoteAction]
    client_id: uuid.UUID
    client_name: str
    contact_id: uuid.UUID | None
    assignee_id: uuid.UUID | None
    title: str
    currency: str
    decimals: int = Field(description="The currency's decimals, to which amounts are rounded")
    locale: Literal["fr", "en"]
    issue_date: date
    valid_until: date
    introduction: str
    notes: str
    terms: str
    discount: DiscountOut | None
    sections: list[SectionOut]
    lines: list[LineOut]
    totals: TotalsOut
    created_at: datetime
    updated_at: datetime
    sent_at: datetime | None
    esignature_requested: bool | None = Field(
        description="Whether its last send asked for a signature to accept it"
    )
    created_by: uuid.UUID | None


class QuoteSummary(BaseModel):
    id: uuid.UUID
    number: str | None
    status: QuoteStatus
    client_id: uuid.UUID
    client_name: str
    assignee_id: uuid.UUID | None
    title: str
    total_with_tax: Amount
    currency: str
    issue_date: date
    valid_until: date
    # Visits of its online page.
    view_count: int
    updated_at: datetime
