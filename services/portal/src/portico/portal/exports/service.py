"""Client exports' use cases: ask for one, read them, fail those past their deadline."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from portico.contracts.events.exports import ClientExportRequested, ExportedContact
from portico.kit.auth import Principal
from portico.kit.db import utcnow
from portico.kit.jobs import Job, JobContext
from portico.kit.pagination import PageParams, fetch_page
from portico.kit.problems import NotFound
from portico.kit.transaction import Transaction
from portico.portal.client_export import CLIENT_EXPORT
from portico.portal.exports.discard import discard_after_commit
from portico.portal.exports.models import ClientExport, ClientExportPart
from portico.portal.exports.parts import FAILED, PENDING
from portico.portal.exports.settings import export_settings
from portico.portal.models import Client

OWN = "portal"
FAIL_LATE = "portal.fail_late_client_exports"


def expected_services() -> list[str]:
    """The portal, and each service the setting names (once each, in its order)."""
    return list(dict.fromkeys([OWN, *export_settings().services]))


async def request_export(tx: Transaction, client_id: uuid.UUID, by: Principal) -> ClientExport:
    """Record the export, ask every service for its part (ClientExportRequested) and
    enqueue the portal's own."""
    client = await tx.scalar(
        select(Client).where(Client.id == client_id).options(selectinload(Client.contacts))
    )
    if client is None:
        raise NotFound(f"There is no client {client_id}.")
    export = ClientExport(
        id=uuid.uuid4(),
        client_id=client.id,
        status=PENDING,
        expected=expected_services(),
        requested_by=_user_id(by),
        created_at=utcnow(),
    )
    tx.add(export)
    await tx.flush()
    request = ClientExportRequested(
        export_id=export.id,
        client_id=client.id,
        client_name=client.name,
        contacts=[
            ExportedContact(id=contact.id, email=contact.email, phone=contact.phone)
            for contact in client.contacts
        ],
        requested_by=export.requested_by,
        requested_at=export.created_at,
    )
    tx.emit(request)
    await CLIENT_EXPORT.enqueue(tx, request)
    return export


def _user_id(principal: Principal) -> uuid.UUID | None:
    try:
        return uuid.UUID(principal.subject)
    except ValueError:
        return None


async def client_exists(session: AsyncSession, client_id: uuid.UUID) -> None:
    if await session.scalar(select(Client.id).where(Client.id == client_id)) is None:
        raise NotFound(f"There is no client {client_id}.")


async def get_export(
    session: AsyncSession, client_id: uuid.UUID, export_id: uuid.UUID
) -> tuple[ClientExport, list[ClientExportPart]]:
    export = await session.scalar(
        select(ClientExport).where(
            ClientExport.id == export_id, ClientExport.client_id == client_id
        )
    )
    if export is None:
        raise NotFound(f"Client {client_id} has no export {export_id}.")
    return export, await parts_of(session, [export.id])


async def parts_of(session: AsyncSession, export_ids: list[uuid.UUID]) -> list[ClientExportPart]:
    if not export_ids:
        return []
    return list(
        await session.scalars(
            select(ClientExportPart)
            .where(ClientExportPart.export_id.in_(export_ids))
            .order_by(ClientExportPart.service)
        )
    )


async def list_exports(
    session: AsyncSession, client_id: uuid.UUID, page: PageParams
) -> tuple[list[ClientExport], list[ClientExportPart], int]:
    await client_exists(session, client_id)
    exports, total = await fetch_page(
        session,
        select(ClientExport).where(ClientExport.client_id == client_id),
        page,
        ClientExport.created_at.desc(),
        ClientExport.id,
    )
    return exports, await parts_of(session, [export.id for export in exports]), total


async def fail_late_exports(context: JobContext, job: Job) -> None:
    """Pending exports past their deadline fail, naming the services that never answered;
    the parts the others gave are removed."""
    deadline = utcnow() - timedelta(hours=export_settings().deadline_hours)
    async with context.database.sessions() as session:
        late = list(
            await session.scalars(
                select(ClientExport.id).where(
                    ClientExport.status == PENDING, ClientExport.created_at < deadline
                )
            )
        )
    for export_id in late:
        async with context.database.transaction() as tx:
            export = await tx.locked(ClientExport, export_id)
            if export is None or export.status != PENDING:
                continue
            answered = {part.service for part in await parts_of(tx, [export.id])}
            missing = [service for service in export.expected if service not in answered]
            export.status, export.failed_at = FAILED, utcnow()
            export.failure = (
                "No answer from: " + ", ".join(missing) if missing else "Never assembled."
            )[:500]
            await discard_after_commit(tx, export.id, export.expected)
