"""The client accepts the quote through its link: with their name, the terms accepted and,
when its send asked for one (``quote_settings.signature_required``: by default, when the
organisation's e-signature setting is on), a drawn or typed signature.

A quote is accepted exactly once. The request holds the quote's row locked
(``links.open_link(..., lock=True)``: ``FOR UPDATE`` on PostgreSQL, the write lock first on
SQLite) and reads its status after the lock, so of two tabs accepting at the same moment the
second sees the first's acceptance and is refused (409, "already accepted"); a retried
request is refused the same way and changes nothing.

What is kept is the evidence of the acceptance: ``quote.signer`` (who, from where, when, how)
and the drawn signature's PNG in the service's blob store, its key in ``signer``; and the
signed quote, sealed, as ``proof_key`` (``signed_quote``).
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from portico.contracts.events.quotes import QuoteSigned
from portico.kit.db import utcnow
from portico.kit.problems import ValidationProblem
from portico.kit.settings import PorticoSettings
from portico.kit.store import BlobStore
from portico.kit.transaction import Transaction
from portico.quotes import history
from portico.quotes.history import HistoryKind, RequestInfo
from portico.quotes.models import Quote
from portico.quotes.online.links import Opened
from portico.quotes.online.schemas import AcceptIn, SignatureIn
from portico.quotes.online.service import about, link_contact, moved
from portico.quotes.online.signature_image import SignatureRefused, checked_png, decoded_png
from portico.quotes.online.signed_quote import store_signed_quote
from portico.quotes.quote_settings import quote_settings, signature_required
from portico.quotes.quotes.content import totals_of
from portico.quotes.quotes.expiry import expire_if_due
from portico.quotes.quotes.sending import quote_link
from portico.quotes.rendering import Acceptance
from portico.quotes.statuses import QuoteAction

Method = Literal["drawn", "typed", "none"]


@dataclass(frozen=True)
class Signature:
    method: Method
    png: bytes | None = None
    text: str | None = None


def signature_key(quote: Quote) -> str:
    # Random, so that a signature drawn again after the quote is voided and sent anew never
    # overwrites the one kept as evidence of the first acceptance.
    return f"quotes/{quote.id}/signature-{secrets.token_hex(8)}.png"


def checked_signature(given: SignatureIn | None, *, required: bool) -> Signature:
    """The signature as sent, checked; a 422 naming the field at fault."""
    if given is None:
        if required:
            raise ValidationProblem.for_field(
                "signature",
                "This organisation asks for a signature to accept a quote: draw or type it.",
                code="missing",
            )
        return Signature("none")
    if given.kind == "typed":
        if not given.text:
            raise ValidationProblem.for_field(
                "signature.text", "Type the signature, or draw it.", code="missing"
            )
        return Signature("typed", text=given.text)
    field = "signature.image_png_base64"
    if not given.image_png_base64:
        raise ValidationProblem.for_field(field, "Draw the signature, or type it.", code="missing")
    try:
        return Signature("drawn", png=checked_png(decoded_png(given.image_png_base64)))
    except SignatureRefused as refused:
        raise ValidationProblem.for_field(field, refused.message, code=refused.code) from None


async def accept(
    tx: Transaction,
    store: BlobStore,
    opened: Opened,
    body: AcceptIn,
    origin: RequestInfo,
    links: PorticoSettings,
    token: str,
) -> None:
    quote, link = opened.quote, opened.link
    now = utcnow()
    expire_if_due(tx, quote, now.date())
    # The status first: a quote already answered is refused for that, whatever the body.
    accepted = moved(quote, QuoteAction.ACCEPT)
    if not body.accept_terms:
        raise ValidationProblem.for_field(
            "accept_terms", "Accept the quote's terms to accept it.", code="terms_not_accepted"
        )
    settings = await quote_settings(tx)
    signature = checked_signature(body.signature, required=signature_required(quote, settings))
    contact = await link_contact(tx, opened)

    key = None
    if signature.png is not None:
        key = signature_key(quote)
        # Written before the commit, under the lock: a refused request has stored nothing;
        # a commit failing after this leaves a file no row names, never a row without file.
        await store.put(key, signature.png, content_type="image/png")
    totals = totals_of(quote)
    quote.status = accepted
    quote.decided_at = now
    quote.decline_reason = ""  # a refusal before the quote was reopened and sent again
    quote.updated_at = now
    quote.signer = _signer(body, signature, key, contact.email, origin, link.contact_id, now)
    signed = Acceptance(
        name=body.name,
        signed_at=now,
        email=contact.email or "",
        time_zone=body.time_zone,
        ip=origin.ip,
        signature_png=signature.png,
        signature_text=signature.text,
    )
    history.record(
        tx,
        quote,
        HistoryKind.ACCEPTED,
        contact_id=link.contact_id,
        request_info=origin,
        detail={
            "name": body.name,
            "method": signature.method,
            # What was accepted: the options taken and the total they made.
            "chosen": [str(line.id) for line in quote.lines if line.optional and line.chosen],
            "total_with_tax": format(totals.total_with_tax, "f"),
            "time_zone": body.time_zone,
        },
    )
    # The step is the trail's last entry in the signed quote's certificate.
    await tx.flush()
    quote.proof_key = await store_signed_quote(
        tx, store, quote, signed, link.contact_id, user_agent=origin.user_agent, links=links
    )
    signer = contact.person(quote, body.name)
    assert signer is not None  # named by the body
    tx.emit(
        QuoteSigned(
            **about(quote, links),
            signer=signer,
            signed_at=now,
            total_including_tax=totals.total_with_tax,
            currency=quote.currency,
            signed_pdf_key=quote.proof_key,
            # The quote's own page, where the signer reads what they accepted and downloads
            # the signed PDF: the link they used, which is theirs.
            copy_url=quote_link(links, token),
        )
    )
    await tx.flush()


def _signer(
    body: AcceptIn,
    signature: Signature,
    key: str | None,
    email: str | None,
    origin: RequestInfo,
    contact_id: uuid.UUID,
    now: datetime,
) -> dict[str, Any]:
    """The acceptance's evidence, as JSON: who, from where, when and how."""
    return {
        "contact_id": str(contact_id),
        "name": body.name,
        "email": email,
        "ip": origin.ip,
        "user_agent": origin.user_agent,
        "time_zone": body.time_zone,
        "method": signature.method,
        "signature_key": key,
        "signature_text": signature.text,
        "at": now.isoformat(),
    }
