"""A draft's content, from the body staff send to the rows kept, and from the rows to the
totals: the defaults (the client's first contact and staff in charge, the settings'
validity and texts), the lines copied from the catalogue, and the totals checked by
``totals.compute_totals`` before anything is kept."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from portico.kit.problems import ValidationProblem
from portico.kit.transaction import Transaction
from portico.quotes.currencies import decimals_of
from portico.quotes.models import Product, Quote, QuoteLine, QuoteSection, StaffReplica
from portico.quotes.quote_settings import QuoteSettingsOut
from portico.quotes.quotes.schemas import DiscountIn, LineIn, QuoteIn
from portico.quotes.replicas import contact_of, first_contact_id, live_client
from portico.quotes.totals import (
    Discount,
    DiscountKind,
    InvalidQuote,
    Line,
    Section,
    Totals,
    compute_totals,
)

# A line without a product and without a rate takes the catalogue's default, France's
# standard rate.
DEFAULT_VAT_RATE = Decimal(20)
# What the amount columns hold (15 digits, 3 of them decimals); past it a total is refused
# by name rather than failing in the database.
MAX_AMOUNT = Decimal(10) ** 12


@dataclass(frozen=True)
class Content:
    """What a draft is made of, checked: its columns, its sections and lines, its totals."""

    columns: dict[str, Any]
    sections: list[QuoteSection]
    lines: list[QuoteLine]
    totals: Totals


async def checked_content(
    tx: Transaction, body: QuoteIn, settings: QuoteSettingsOut, today: date
) -> Content:
    """The draft ``body`` describes, or a validation problem naming the field at fault."""
    client = await live_client(tx, body.client_id)
    if client is None:
        raise ValidationProblem.for_field("client_id", "No such client.", code="unknown_client")
    contact_id = body.contact_id or first_contact_id(client)
    contact = contact_of(client, contact_id)
    if body.contact_id is not None and contact is None:
        raise ValidationProblem.for_field(
            "contact_id", "Not a contact of this client.", code="unknown_contact"
        )
    if body.assignee_id is not None:
        await _check_assignee(tx, body.assignee_id)
    issue_date = body.issue_date or today
    valid_until = body.valid_until or issue_date + timedelta(days=settings.validity_days)
    if valid_until < issue_date:
        raise ValidationProblem.for_field(
            "valid_until", "A quote cannot end before its issue date.", code="before_issue"
        )
    decimals = decimals_of(body.currency)
    lines = await _lines(tx, body.lines)
    totals = _checked_totals(lines, body, decimals)
    columns: dict[str, Any] = {
        "client_id": client.client_id,
        "contact_id": contact_id,
        "assignee_id": body.assignee_id or client.assigned_staff_id,
        "title": body.title,
        "currency": body.currency,
        "locale": body.locale or (contact or {}).get("locale") or "en",
        "issue_date": issue_date,
        "valid_until": valid_until,
        "introduction": (
            settings.default_introduction if body.introduction is None else body.introduction
        ),
        "notes": body.notes,
        "terms": settings.default_terms if body.terms is None else body.terms,
        "discount_kind": body.discount.kind.value if body.discount else None,
        "discount_value": body.discount.value if body.discount else None,
        "total_without_tax": totals.total_without_tax,
        "total_with_tax": totals.total_with_tax,
    }
    sections = [
        QuoteSection(key=section.key, title=section.title, position=position)
        for position, section in enumerate(body.sections)
    ]
    rows = [
        QuoteLine(
            position=position,
            section_key=line.section,
            product_id=product_id,
            description=line.description,
            quantity=line.quantity,
            unit=line.unit or "",
            unit_price=line.unit_price,
            vat_rate=line.vat_rate,
            discount_kind=line.discount.kind.value if line.discount else None,
            discount_value=line.discount.value if line.discount else None,
            optional=line.optional,
            chosen=line.optional and line.chosen,
        )
        for position, (line, product_id) in enumerate(
            zip(lines, (line.product_id for line in body.lines), strict=True)
        )
    ]
    return Content(columns, sections, rows, totals)


async def _check_assignee(tx: Transaction, assignee_id: uuid.UUID) -> None:
    staff = await tx.get(StaffReplica, assignee_id)
    if staff is None:
        raise ValidationProblem.for_field(
            "assignee_id", "No such staff member.", code="unknown_staff"
        )
    if not staff.active:
        raise ValidationProblem.for_field(
            "assignee_id", "This staff member is deactivated.", code="inactive_staff"
        )


async def _lines(tx: Transaction, given: Sequence[LineIn]) -> list[Line]:
    """Each line complete: what it leaves out copied from its product."""
    wanted = {line.product_id for line in given if line.product_id is not None}
    products = (
        {row.id: row for row in await tx.scalars(select(Product).where(Product.id.in_(wanted)))}
        if wanted
        else {}
    )
    lines = []
    for index, line in enumerate(given):
        where = f"lines.{index}"
        product = products.get(line.product_id) if line.product_id is not None else None
        if line.product_id is not None and product is None:
            raise ValidationProblem.for_field(
                f"{where}.product_id", "No such product.", code="unknown_product"
            )
        description = line.description
        if description is None and product is not None:
            description = "\n".join(part for part in (product.name, product.description) if part)
        if not description:
            raise ValidationProblem.for_field(
                f"{where}.description", "Describe the line, or name a product.", code="missing"
            )
        unit_price = _first_given(line.unit_price, _of(product, "unit_price"))
        if unit_price is None:
            raise ValidationProblem.for_field(
                f"{where}.unit_price", "A line without a product needs its price.", code="missing"
            )
        lines.append(
            Line(
                description=description,
                quantity=line.quantity,
                unit_price=unit_price,
                vat_rate=_first_given(line.vat_rate, _of(product, "vat_rate"), DEFAULT_VAT_RATE),
                discount=_discount(line.discount),
                unit=_first_given(line.unit, _of(product, "unit"), ""),
                optional=line.optional,
                chosen=line.optional and line.chosen,
                section=line.section,
            )
        )
    return lines


def _of(product: Product | None, name: str) -> Any:
    return getattr(product, name) if product is not None else None


def _first_given(*values: Any) -> Any:
    """The first value not left out: a rate of 0 or an empty unit is a value given."""
    return next((value for value in values if value is not None), None)


def _discount(given: DiscountIn | None) -> Discount | None:
    return Discount(given.kind, given.value) if given is not None else None


def _checked_totals(lines: Sequence[Line], body: QuoteIn, decimals: int) -> Totals:
    try:
        totals = compute_totals(
            lines,
            sections=[Section(section.key, section.title) for section in body.sections],
            discount=_discount(body.discount),
            decimals=decimals,
        )
    except InvalidQuote as refused:
        raise ValidationProblem.for_field(
            refused.field, refused.message, code="invalid_quote"
        ) from None
    for index, amount in enumerate(totals.lines):
        if abs(amount.net) >= MAX_AMOUNT:
            raise ValidationProblem.for_field(
                f"lines.{index}", f"A line's amount stays under {MAX_AMOUNT:,}.", code="too_large"
            )
    if abs(totals.total_with_tax) >= MAX_AMOUNT or abs(totals.lines_total) >= MAX_AMOUNT:
        raise ValidationProblem.for_field(
            "lines", f"A quote's total stays under {MAX_AMOUNT:,}.", code="too_large"
        )
    return totals


def totals_of(quote: Quote) -> Totals:
    """The totals of a quote kept (its sections and lines loaded)."""
    return compute_totals(
        [line_of(row) for row in quote.lines],
        sections=[Section(row.key, row.title) for row in quote.sections],
        discount=_stored_discount(quote.discount_kind, quote.discount_value),
        decimals=decimals_of(quote.currency),
    )


def line_of(row: QuoteLine) -> Line:
    return Line(
        description=row.description,
        quantity=row.quantity,
        unit_price=row.unit_price,
        vat_rate=row.vat_rate,
        discount=_stored_discount(row.discount_kind, row.discount_value),
        unit=row.unit,
        optional=row.optional,
        chosen=row.chosen,
        section=row.section_key,
    )


def _stored_discount(kind: str | None, value: Decimal | None) -> Discount | None:
    return Discount(DiscountKind(kind), value) if kind is not None and value is not None else None
