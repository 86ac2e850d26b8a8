"""Reminders before a document expires: a job every hour finds the documents whose expiry
date is within the section's ``reminder_days`` and tells the client (and the staff member
in charge) once per document and date. A document past its date reads as expired without
a job (``checklist.state_of``); another job announces the client's new states to the
portal (ClientDocumentStates) once per document and date, for its client list.

Each reminder is claimed by a conditional update of ``reminded_for`` in the transaction
that emits it: two runs at once, or a run repeated, send it once.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy import ColumnElement, or_, select, update

from portico.contracts.events.documents import ClientDocumentExpiring
from portico.documents.client_documents.service import CLIENT_PAGE, uploading_contact
from portico.documents.models import ClientDocument, ClientReplica, DocumentType
from portico.documents.section import section_settings
from portico.documents.states import announce_states
from portico.kit.db import utcnow
from portico.kit.jobs import Job, JobContext, JobTable, Schedule

REMIND = "documents.remind_expiring"
ANNOUNCE_EXPIRED = "documents.announce_expired"


async def remind_expiring(context: JobContext, job: Job) -> None:
    today = utcnow().date()
    async with context.database.sessions() as session:
        days = (await section_settings(session)).reminder_days
        due = (
            await session.execute(
                select(ClientDocument.id, ClientDocument.expires_on).where(
                    ClientDocument.expires_on.is_not(None),
                    ClientDocument.expires_on >= today,
                    ClientDocument.expires_on <= today + timedelta(days=days),
                    or_(
                        ClientDocument.reminded_for.is_(None),
                        ClientDocument.reminded_for != ClientDocument.expires_on,
                    ),
                )
            )
        ).all()
    for document_id, expires_on in due:
        if expires_on is not None:
            await _remind(context, document_id, expires_on)


async def _remind(context: JobContext, document_id: uuid.UUID, expires_on: date) -> None:
    async with context.database.transaction() as tx:
        claimed = await tx.execute(
            update(ClientDocument)
            .where(
                ClientDocument.id == document_id,
                ClientDocument.expires_on == expires_on,
                or_(
                    ClientDocument.reminded_for.is_(None),
                    ClientDocument.reminded_for != expires_on,
                ),
            )
            .values(reminded_for=expires_on)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return  # another run sent it, or the document changed meanwhile
        document = await tx.get(ClientDocument, document_id)
        assert document is not None
        client = await tx.get(ClientReplica, document.client_id)
        kind = await tx.get(DocumentType, document.document_type_id)
        if client is None or client.deleted or kind is None:
            return
        tx.emit(
            ClientDocumentExpiring(
                document_id=document.id,
                client_id=client.client_id,
                client_name=client.name,
                document_type_id=kind.id,
                document_type_name=kind.name_en,
                assigned_staff_id=client.assigned_staff_id,
                expires_on=expires_on,
                contact=uploading_contact(client, document),
                upload_url=context.settings.link(CLIENT_PAGE),
            )
        )


async def announce_expired(context: JobContext, job: Job) -> None:
    """Each document whose date has passed is claimed (``expiry_announced_for``) and its
    client's states announced, in one transaction per client."""
    today = utcnow().date()
    async with context.database.sessions() as session:
        clients = set(
            await session.scalars(
                select(ClientDocument.client_id).where(
                    ClientDocument.expires_on < today, _not_announced()
                )
            )
        )
    for client_id in clients:
        async with context.database.transaction() as tx:
            claimed = await tx.execute(
                update(ClientDocument)
                .where(
                    ClientDocument.client_id == client_id,
                    ClientDocument.expires_on < today,
                    _not_announced(),
                )
                .values(expiry_announced_for=ClientDocument.expires_on)
            )
            if claimed.rowcount:  # type: ignore[attr-defined]
                await announce_states(tx, [client_id])


def _not_announced() -> ColumnElement[bool]:
    return or_(
        ClientDocument.expiry_announced_for.is_(None),
        ClientDocument.expiry_announced_for != ClientDocument.expires_on,
    )


SCHEDULES = [
    Schedule(name="remind-expiring", kind=REMIND, every=timedelta(hours=1)),
    Schedule(name="announce-expired", kind=ANNOUNCE_EXPIRED, every=timedelta(hours=1)),
]
JOBS: JobTable = {REMIND: remind_expiring, ANNOUNCE_EXPIRED: announce_expired}
