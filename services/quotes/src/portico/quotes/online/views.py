"""The online quote as its client reads it, built from the staff view so that amounts print
the same way on both sides (``quotes.views``), less what is internal to the organisation."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from portico.quotes.attachments.schemas import OnlineAttachmentOut
from portico.quotes.models import OrganisationReplica, Quote, QuoteAttachment
from portico.quotes.online.schemas import (
    DecisionOut,
    OnlineLineOut,
    OnlineQuoteOut,
    OrganisationOut,
)
from portico.quotes.quote_settings import QuoteSettingsOut, signature_required
from portico.quotes.quotes.expiry import AWAITING, is_past
from portico.quotes.quotes.views import quote_out
from portico.quotes.statuses import QuoteStatus


@dataclass(frozen=True)
class Reader:
    """Who reads the quote, and what surrounds it: the page's header and footer."""

    client_name: str
    contact_name: str | None
    organisation: OrganisationReplica | None
    settings: QuoteSettingsOut


def can_accept(quote: Quote, today: date) -> bool:
    return QuoteStatus(quote.status) in AWAITING and not is_past(quote, today)


def _decision(quote: Quote) -> DecisionOut | None:
    status = QuoteStatus(quote.status)
    if quote.decided_at is None or status not in (QuoteStatus.ACCEPTED, QuoteStatus.DECLINED):
        return None
    if status is QuoteStatus.DECLINED:
        return DecisionOut(
            status="declined",
            decided_at=quote.decided_at,
            signer_name=None,
            method=None,
            reason=quote.decline_reason or None,
        )
    signer = quote.signer or {}
    return DecisionOut(
        status="accepted",
        decided_at=quote.decided_at,
        signer_name=signer.get("name"),
        method=signer.get("method"),
        reason=None,
    )


def online_quote_out(
    quote: Quote, reader: Reader, today: date, attachments: Sequence[QuoteAttachment] = ()
) -> OnlineQuoteOut:
    """The quote (its sections and lines loaded) for the holder of its link."""
    staff_view = quote_out(quote, reader.client_name)
    organisation = reader.organisation
    return OnlineQuoteOut(
        organisation=(
            OrganisationOut(
                name=organisation.name,
                brand_colour=organisation.brand_colour,
                logo_url=organisation.logo_url,
            )
            if organisation is not None
            else None
        ),
        company_details=reader.settings.company_details,
        number=quote.number,
        title=quote.title,
        status=QuoteStatus(quote.status),
        client_name=reader.client_name,
        contact_name=reader.contact_name,
        currency=quote.currency,
        decimals=staff_view.decimals,
        locale=staff_view.locale,
        issue_date=quote.issue_date,
        valid_until=quote.valid_until,
        introduction=quote.introduction,
        notes=quote.notes,
        terms=quote.terms,
        discount=staff_view.discount,
        sections=staff_view.sections,
        lines=[
            OnlineLineOut(id=row.id, **line.model_dump(exclude={"product_id"}))
            for row, line in zip(quote.lines, staff_view.lines, strict=True)
        ],
        totals=staff_view.totals,
        esignature_required=signature_required(quote, reader.settings),
        can_accept=can_accept(quote, today),
        decision=_decision(quote),
        attachments=[
            OnlineAttachmentOut.model_validate(row, from_attributes=True) for row in attachments
        ],
    )
