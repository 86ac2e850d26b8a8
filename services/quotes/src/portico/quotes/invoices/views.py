"""Invoices as the API answers them: whole, with what they bill as it was kept at issue, or
as a list's row."""

from __future__ import annotations

from decimal import Decimal

from portico.quotes.currencies import decimals_of
from portico.quotes.invoices.schemas import BilledContent, InvoiceOut, InvoiceSummary
from portico.quotes.invoices.statuses import InvoiceStatus, allowed_actions
from portico.quotes.models import Invoice


def invoice_out(invoice: Invoice, client_name: str) -> InvoiceOut:
    billed = BilledContent.model_validate(invoice.lines)
    status = InvoiceStatus(invoice.status)
    return InvoiceOut(
        id=invoice.id,
        number=invoice.number,
        status=status,
        allowed_actions=sorted(allowed_actions(status)),
        quote_id=invoice.quote_id,
        client_id=invoice.client_id,
        client_name=client_name,
        contact_id=invoice.contact_id,
        title=invoice.title,
        currency=invoice.currency,
        decimals=decimals_of(invoice.currency),
        locale="fr" if invoice.locale == "fr" else "en",
        issue_date=invoice.issue_date,
        due_on=invoice.due_on,
        sections=billed.sections,
        lines=billed.lines,
        totals=billed.totals,
        created_at=invoice.created_at,
        created_by=invoice.created_by,
    )


def invoice_summary(invoice: Invoice, client_name: str) -> InvoiceSummary:
    return InvoiceSummary(
        id=invoice.id,
        number=invoice.number,
        status=InvoiceStatus(invoice.status),
        quote_id=invoice.quote_id,
        client_id=invoice.client_id,
        client_name=client_name,
        title=invoice.title,
        total_with_tax=invoice.total_with_tax.quantize(
            Decimal(1).scaleb(-decimals_of(invoice.currency))
        ),
        currency=invoice.currency,
        issue_date=invoice.issue_date,
        due_on=invoice.due_on,
        created_at=invoice.created_at,
    )
