"""Quotes as the API answers them: whole, with their computed totals, or as a list's row.

Amounts print with their currency's decimals; quantities and unit prices with the places
they need (2 days, 0.0125 a label), never the columns' trailing zeros.
"""

from __future__ import annotations

from decimal import Decimal

from portico.quotes.currencies import decimals_of
from portico.quotes.models import Quote
from portico.quotes.quotes.content import totals_of
from portico.quotes.quotes.schemas import (
    DiscountOut,
    LineOut,
    QuoteOut,
    QuoteSummary,
    SectionOut,
    TaxOut,
    TotalsOut,
)
from portico.quotes.statuses import QuoteStatus, allowed_actions
from portico.quotes.totals import DiscountKind


def trimmed(value: Decimal, places: int = 0) -> Decimal:
    """``value`` with at least ``places`` decimals and no trailing zero past them."""
    exponent = value.normalize().as_tuple().exponent
    used = -exponent if isinstance(exponent, int) and exponent < 0 else 0
    return value.quantize(Decimal(1).scaleb(-max(used, places)))


def _discount(kind: str | None, value: Decimal | None, decimals: int) -> DiscountOut | None:
    if kind is None or value is None:
        return None
    places = decimals if kind == DiscountKind.AMOUNT else 0
    return DiscountOut(kind=DiscountKind(kind), value=trimmed(value, places))


def quote_out(quote: Quote, client_name: str) -> QuoteOut:
    """The whole quote (its sections and lines loaded)."""
    decimals = decimals_of(quote.currency)
    totals = totals_of(quote)
    status = QuoteStatus(quote.status)
    return QuoteOut(
        id=quote.id,
        number=quote.number,
        status=status,
        allowed_actions=sorted(allowed_actions(status)),
        client_id=quote.client_id,
        client_name=client_name,
        contact_id=quote.contact_id,
        assignee_id=quote.assignee_id,
        title=quote.title,
        currency=quote.currency,
        decimals=decimals,
        locale="fr" if quote.locale == "fr" else "en",
        issue_date=quote.issue_date,
        valid_until=quote.valid_until,
        introduction=quote.introduction,
        notes=quote.notes,
        terms=quote.terms,
        discount=_discount(quote.discount_kind, quote.discount_value, decimals),
        sections=[
            SectionOut(key=row.key, title=row.title, subtotal=subtotal.subtotal)
            for row, subtotal in zip(quote.sections, totals.sections, strict=True)
        ],
        lines=[
            LineOut(
                position=row.position,
                section=row.section_key,
                product_id=row.product_id,
                description=row.description,
                quantity=trimmed(row.quantity),
                unit=row.unit,
                unit_price=trimmed(row.unit_price, decimals),
                vat_rate=trimmed(row.vat_rate),
                discount=_discount(row.discount_kind, row.discount_value, decimals),
                optional=row.optional,
                chosen=row.chosen,
                net=amount.net,
                counted=amount.counted,
            )
            for row, amount in zip(quote.lines, totals.lines, strict=True)
        ],
        totals=TotalsOut(
            lines_total=totals.lines_total,
            discount=totals.discount,
            total_without_tax=totals.total_without_tax,
            taxes=[
                TaxOut(rate=trimmed(tax.rate), base=tax.base, tax=tax.tax) for tax in totals.taxes
            ],
            total_tax=totals.total_tax,
            total_with_tax=totals.total_with_tax,
        ),
        created_at=quote.created_at,
        updated_at=quote.updated_at,
        sent_at=quote.sent_at,
        esignature_requested=quote.esignature_requested,
        created_by=quote.created_by,
    )


def quote_summary(quote: Quote, client_name: str) -> QuoteSummary:
    return QuoteSummary(
        id=quote.id,
        number=quote.number,
        status=QuoteStatus(quote.status),
        client_id=quote.client_id,
        client_name=client_name,
        assignee_id=quote.assignee_id,
        title=quote.title,
        total_with_tax=quote.total_with_tax.quantize(
            Decimal(1).scaleb(-decimals_of(quote.currency))
        ),
        currency=quote.currency,
        issue_date=quote.issue_date,
        valid_until=quote.valid_until,
        view_count=quote.view_count or 0,
        updated_at=quote.updated_at,
    )
