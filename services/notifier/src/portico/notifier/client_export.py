"""The notifier's part of a client's data export (docs/exports.md).

What it holds about a client is what it sent their people: the deliveries addressed to a
contact of the client (found by the contact's id, or by their address or number, as the
erasure finds them), each with its attempts and what the channel answered; and staff's
in-app notifications linking to the client. A delivery's rendered content is left out:
it is kept only until the message goes, and holds the links it carried (secrets); its
subject says what it was. Attachments are not the notifier's: they are the services'
files (the quote's PDF), in those services' parts.
"""

from __future__ import annotations

import contextlib

from sqlalchemy import false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from portico.contracts.events.exports import ClientExportRequested
from portico.kit.client_exports import ClientExport, ExportContents
from portico.notifier.channels.base import PermanentFailure
from portico.notifier.channels.phone import normalise_phone
from portico.notifier.models import Delivery, DeliveryAttempt, Notification, OrganisationReplica

# Kept out of a delivery's row: the message as rendered (links that are secrets) and the
# key that deduplicates it (the recipient again, with the event's id).
LEFT_OUT = ("content", "idempotency_key")


async def addresses_of(session: AsyncSession, request: ClientExportRequested) -> set[str]:
    """The contacts' addresses as deliveries record them, lower-cased: emails, and numbers
    as entered and in E.164 (as sent)."""
    organisation = await session.get(OrganisationReplica, 1)
    country = organisation.default_country if organisation is not None else "FR"
    found: set[str] = set()
    for contact in request.contacts:
        if contact.email:
            found.add(contact.email.lower())
        if contact.phone:
            found.add(contact.phone.lower())
            with contextlib.suppress(PermanentFailure):
                found.add(normalise_phone(contact.phone, country))
    return found


async def collect(session: AsyncSession, request: ClientExportRequested) -> ExportContents:
    addresses = await addresses_of(session, request)
    contact_ids = [contact.id for contact in request.contacts]
    addressed = [Delivery.recipient_id.in_(contact_ids)] if contact_ids else []
    if addresses:
        addressed.append(func.lower(Delivery.recipient).in_(sorted(addresses)))
    deliveries = list(
        await session.scalars(
            select(Delivery)
            .where(or_(*addressed) if addressed else false())
            .order_by(Delivery.created_at, Delivery.id)
        )
    )
    contents = ExportContents()
    contents.add_rows("deliveries", deliveries)
    for row in contents.tables["deliveries"]:
        for column in LEFT_OUT:
            row.pop(column, None)
    ids = [delivery.id for delivery in deliveries]
    attempts = await session.scalars(
        select(DeliveryAttempt)
        .where(DeliveryAttempt.delivery_id.in_(ids))
        .order_by(DeliveryAttempt.at, DeliveryAttempt.id)
    )
    contents.add_rows("delivery_attempts", attempts)
    contents.add_rows(
        "notifications",
        await session.scalars(
            select(Notification)
            .where(Notification.link.contains(str(request.client_id), autoescape=True))
            .order_by(Notification.created_at)
        ),
    )
    return contents


CLIENT_EXPORT = ClientExport("notifier", collect)
JOBS = CLIENT_EXPORT.jobs
