"""The portal's clients, staff and organisation as the quotes service keeps them: whom a
quote is for, which contact it goes to, who is in charge of it, and whose name, colour and
logo its PDF carries.

It never reads the portal's tables; ClientCreated and ClientUpdated carry the whole client,
so the replica is the last one seen. Events may arrive late or twice: one older than the
one held changes nothing, and a deleted client stays deleted.

OrganisationUpdated names the logo by its key in the portal's blob store. The
``quotes.copy_logo`` job reads it from there (as the notifier reads a quote's PDF from the
quotes service's store, ``create_store(settings, "portal")``) and keeps it ready to print
in the replica: every PDF, whoever renders it (a send, a download, an acceptance), then
prints the logo from the quotes service's own database, without reaching the portal's
store while it holds a quote's lock. The job runs after each OrganisationUpdated that names
a logo, since a new logo of the same format is stored under the same key.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import structlog
from sqlalchemy import delete, select, update

from portico.contracts.events.portal import (
    ClientCreated,
    ClientDeleted,
    ClientUpdated,
    OrganisationUpdated,
    StaffUserChanged,
)
from portico.kit.db import utcnow
from portico.kit.inbox import EventContext
from portico.kit.jobs import Job, JobContext, JobTable
from portico.kit.store import BlobNotFound, BlobStore, InvalidBlobKey, create_store
from portico.kit.store.removal import delete_files_after_commit
from portico.kit.transaction import Transaction
from portico.quotes.erasure import erase_client_records
from portico.quotes.models import (
    ClientReplica,
    OrganisationReplica,
    Quote,
    QuoteLink,
    StaffReplica,
)
from portico.quotes.rendering.logo import UnreadableLogo, print_ready

log = structlog.get_logger(__name__)

ORGANISATION_ROW = 1
COPY_LOGO = "quotes.copy_logo"
# The service whose blob store holds the organisation's logo.
LOGO_STORE = "portal"
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
    bring the client back, so the tombstone stays.

    An erasure (``erase``) keeps no record: every quote and invoice of the client goes,
    with their files, and the tombstone keeps the id alone (``erasure``)."""
    tx = context.tx
    if event.erase:
        await erase_client_records(tx, event.client_id)
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
            name=held.name if held is not None and not event.erase else "",
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
    """The organisation as announced; its logo copied by a job (the module says why), or
    forgotten at once when it has none."""
    tx, changed_at = context.tx, context.envelope.time
    held = await tx.get(OrganisationReplica, ORGANISATION_ROW)
    if held is not None and held.changed_at > changed_at:
        return
    if held is None:
        held = OrganisationReplica(id=ORGANISATION_ROW)
        tx.add(held)
    held.name = event.name
    held.brand_colour = event.brand_colour
    held.logo_url = str(event.logo_url) if event.logo_url else None
    held.default_locale = event.default_locale
    held.changed_at = changed_at
    held.logo_key = event.logo_key
    if event.logo_key is None:
        held.logo, held.logo_copied_at = None, None
        return
    # Until the copy is made, the PDFs print the logo copied before (if any).
    await tx.enqueue(
        COPY_LOGO, {"logo_key": event.logo_key}, key=f"{COPY_LOGO}:{context.envelope.id}"
    )


@asynccontextmanager
async def _logo_store(context: JobContext) -> AsyncIterator[BlobStore]:
    """The portal's blob store, opened once for the job runner."""
    yield create_store(context.settings, LOGO_STORE)


async def copy_logo(context: JobContext, job: Job) -> None:
    """The ``quotes.copy_logo`` job, ``{"logo_key": key}``: the logo read from the portal's
    store, made ready to print and kept in the replica, unless a newer event named another
    (its own job copies that one). A file missing from the store or that is not an image
    is logged and leaves the PDFs without a logo; the store out of reach fails the job,
    which is tried again later."""
    key = str(job.payload["logo_key"])
    async with context.database.sessions() as session:
        held = await session.get(OrganisationReplica, ORGANISATION_ROW)
    if held is None or held.logo_key != key:
        return
    store = await context.resource(_logo_store)
    printed: bytes | None = None
    try:
        content = await store.read(key)
    except (BlobNotFound, InvalidBlobKey):
        log.warning("organisation logo not in the portal's store: printed without", logo_key=key)
    else:
        try:
            # Decoding a large image takes tens of milliseconds: off the event loop.
            printed = await asyncio.to_thread(print_ready, content)
        except UnreadableLogo as unreadable:
            log.warning(
                "organisation logo unreadable: printed without",
                logo_key=key,
                reason=str(unreadable),
            )
    async with context.database.transaction() as tx:
        row = await tx.locked(OrganisationReplica, ORGANISATION_ROW)
        if row is None or row.logo_key != key:
            return
        row.logo, row.logo_copied_at = printed, utcnow()


JOBS: JobTable = {COPY_LOGO: copy_logo}


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
