"""The certificate of completion appended to a signed quote: ``libs/pdf``'s certificate
(``portico.pdf.render_certificate``), the same the signing service appends to a completed
document, stating who accepted the quote, from where, what they chose, and the quote's
history up to the acceptance as its audit trail, hash-chained (``portico.pdf.trail``).

The history is not chained as it is written (each step is one row, ``history``): its chain
is computed here, at the acceptance, and printed; the seal over the signed quote then keeps
anyone from changing it. Pure: no database, no clock.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime

from portico.pdf import CertificateData, CertificateRecipient, TrailEntry, chain
from portico.quotes.history import HistoryKind
from portico.quotes.models import QuoteEvent
from portico.quotes.rendering import Acceptance, PrintLocale

# The history's kinds in the certificate's words (``portico.pdf.certificate``): the client's
# acceptance is their signature; the others are worded by their own code.
_ACTION = {HistoryKind.ACCEPTED: "signed"}
# What a step carried that the trail shows: a refusal's reason. A message or question is
# the client's correspondence, not evidence of the signature, and is left out.
_DETAILS = ("reason",)

_VALUES = {
    "en": {"options": "Options chosen", "total": "Total incl. tax", "typed": "Typed signature"},
    "fr": {"options": "Options retenues", "total": "Total TTC", "typed": "Signature saisie"},
}


def trail_of(steps: Sequence[QuoteEvent], names: Mapping[uuid.UUID, str]) -> list[TrailEntry]:
    """The quote's ``steps`` (oldest first) as trail entries, each naming who took it
    (``names`` by contact or staff id; an unknown id is left unnamed)."""
    entries = []
    for step in steps:
        kind = HistoryKind(step.kind)
        actor_id = step.contact_id or step.staff_id
        entries.append(
            TrailEntry(
                at=step.at,
                action=_ACTION.get(kind, kind.value),
                actor=names.get(actor_id) if actor_id is not None else None,
                ip=step.ip,
                user_agent=step.user_agent,
                time_zone=step.detail.get("time_zone") if kind is HistoryKind.ACCEPTED else None,
                details={key: str(step.detail[key]) for key in _DETAILS if step.detail.get(key)},
            )
        )
    return entries


def certificate_data(
    *,
    number: str,
    title: str,
    quote_id: uuid.UUID,
    organisation_name: str,
    client_name: str,
    verification_url: str,
    acceptance: Acceptance,
    user_agent: str | None,
    options_chosen: Sequence[str],
    total_with_tax: str,
    locale: PrintLocale,
    trail: Sequence[TrailEntry],
    generated_at: datetime,
    original_sha256: str,
    signed_sha256: str,
) -> CertificateData:
    """What the signed quote's certificate states. ``total_with_tax`` is printed as given
    (formatted in the quote's language); ``options_chosen`` are the optional lines' texts."""
    words = _VALUES[locale]
    values = []
    if options_chosen:
        values.append((words["options"], "\n".join(options_chosen)))
    values.append((words["total"], total_with_tax))
    if acceptance.signature_text:
        values.append((words["typed"], acceptance.signature_text))
    signer = CertificateRecipient(
        role=client_name,
        kind="signer",
        name=acceptance.name,
        email=acceptance.email or None,
        phone=None,
        # The link that opened the quote came by email (a send or a reminder).
        channel="email",
        identity_method="none",
        identity_attempts=0,
        identity_verified_at=None,
        ip=acceptance.ip,
        user_agent=user_agent,
        time_zone=acceptance.time_zone,
        completed_at=acceptance.signed_at,
        values=values,
        signature_png=acceptance.signature_png,
        initials_png=None,
        locale=locale,
    )
    return CertificateData(
        document_name=f"{number} — {title}" if title else number,
        document_id=str(quote_id),
        organisation_name=organisation_name,
        verification_url=verification_url,
        original_sha256=original_sha256,
        signed_sha256=signed_sha256,
        generated_at=generated_at,
        recipients=[signer],
        trail=trail,
        digests=chain(trail),
    )
