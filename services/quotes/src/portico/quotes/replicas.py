"""The portal's clients and staff as the quotes service keeps them: whom a quote is for,
which contact it goes to, and who is in charge of it.

It never reads the portal's tables; ClientCreated and ClientUpdated carry the whole client,
so the replica is the last one seen. Events may arrive late or twice: one older than the
one held changes nothing, and a deleted client stays deleted.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, select, update

from portico.contracts.events.portal import (
    ClientCreated,
    ClientDeleted,
    ClientUpdated,
    OrganisationUpdated,
    StaffUserChanged,
)
from portico.kit.inbox import EventContext
from portico.kit.store.removal import delete_files_after_commit
from portico.kit.transaction import Transaction
from portico.quotes.models import (
    ClientReplica,
    OrganisationReplica,
    Quote,
    QuoteLink,
    StaffReplica,
)

ORGANISATION_ROW = 1
CONTACT_FIELDS = {"id", "first_name", "last_name", "email", "phone", "locale"}


async def keep_client(event: ClientCreated | ClientUpdated, context: EventContext) -> None:
    changed_at = context.envelope.time
    held = await context.tx.get(ClientReplica, event.client_id)
    if held is not None and (held.deleted or held.changed_at > changed_at):
        return
    await context.tx.merge(
        ClientReplica(
            client_id=event.client_id,
            name=event.name,
            assigned_staff_id=event.assigned_staff_id,
            contacts=[
                contact.model_dump(mode="json", include=CONTACT_FIELDS)
                for contact in event.contacts
            ],
            changed_at=changed_at,
            deleted=False,
        )
    )


async def forget_client(event: ClientDeleted, context: EventContext) -> None:
    """A deleted client's drafts never sent go; every quote ever sent stays, its links
    revoked.

    A sent quote was an offer made to a company, part of the commercial record the
    organisation keeps (and which an accepted quote later proves), and its number is one
    of a sequence an accountant expects without holes. A draft never sent has no number
    and was never shown to anyone: nothing is lost with it. The tombstone keeps the
    client's name, which the kept quotes are listed and printed under, and drops the
    contacts (people's details) and the staff in charge. A late ClientUpdated must not
    bring the client back, so the tombstone stays."""
    tx = context.tx
    drafts = Quote.client_id == event.client_id, Quote.number.is_(None)
    # Their attachments' rows go with them (ON DELETE CASCADE); their files once committed.
    await delete_files_after_commit(
        tx,
        prefixes=[
            f"quotes/{quote_id}/attachments/"
            for quote_id in await tx.scalars(select(Quote.id).where(*drafts))
        ],
    )
    await tx.execute(delete(Quote).where(*drafts))
    kept = select(Quote.id).where(Quote.client_id == event.client_id)
    await tx.execute(
        update(QuoteLink)
        .where(QuoteLink.quote_id.in_(kept), QuoteLink.revoked_at.is_(None))
        .values(revoked_at=context.envelope.time)
    )
    held = await tx.get(ClientReplica, event.client_id)
    await tx.merge(
        ClientReplica(
            client_id=event.client_id,
            name=held.name if held is not None else "",
            assigned_staff_id=None,
            contacts=[],
            changed_at=context.envelope.time,
            deleted=True,
        )
    )


async def keep_staff(event: StaffUserChanged, context: EventContext) -> None:
    changed_at = context.envelope.time
    held = await context.tx.get(StaffReplica, event.user_id)
    if held is not None and held.changed_at > changed_at:
        return
    await context.tx.merge(
        StaffReplica(
            user_id=event.user_id,
            name=f"{event.first_name} {event.last_name}".strip(),
            active=event.active,
            changed_at=changed_at,
        )
    )


async def keep_organisation(event: OrganisationUpdated, context: EventContext) -> None:
    changed_at = context.envelope.time
    held = await context.tx.get(OrganisationReplica, ORGANISATION_ROW)
    if held is not None and held.changed_at > changed_at:
        return
    await context.tx.merge(
        OrganisationReplica(
            id=ORGANISATION_ROW,
            name=event.name,
            brand_colour=event.brand_colour,
            logo_url=str(event.logo_url) if event.logo_url else None,
            default_locale=event.default_locale,
            changed_at=changed_at,
        )
    )


async def organisation(tx: Transaction) -> OrganisationReplica | None:
    """The organisation as last announced; none before the portal's first word."""
    return await tx.get(OrganisationReplica, ORGANISATION_ROW)


async def live_client(tx: Transaction, client_id: uuid.UUID) -> ClientReplica | None:
    """The client, unless unknown or deleted."""
    held = await tx.get(ClientReplica, client_id)
    return held if held is not None and not held.deleted else None


def contact_of(client: ClientReplica, contact_id: uuid.UUID | None) -> dict[str, Any] | None:
    """The client's contact ``contact_id``, as the replica holds it."""
    if contact_id is None:
        return None
    wanted = str(contact_id)
    return next((c for c in client.contacts if str(c.get("id")) == wanted), None)


def first_contact_id(client: ClientReplica) -> uuid.UUID | None:
    return uuid.UUID(str(client.contacts[0]["id"])) if client.contacts else None


def contact_name(contact: dict[str, Any]) -> str:
    full = " ".join(part for part in (contact.get("first_name"), contact.get("last_name")) if part)
    return full or str(contact.get("email") or "")
