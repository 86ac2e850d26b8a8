"""Use cases on clients and contacts. The caller owns the transaction."""

from __future__ import annotations

import uuid

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from portico.kit.outbox import emit
from portico.kit.pagination import PageParams
from portico.kit.problems import NotFound
from portico.portal.clients.replica import client_created
from portico.portal.clients.schemas import ClientIn
from portico.portal.models import Client, Contact


async def create_client(session: AsyncSession, data: ClientIn) -> Client:
    client = Client(
        kind=data.kind,
        name=data.name,
        legal_id=data.legal_id,
        phone=data.phone,
        website=data.website,
        notes=data.notes,
        tags=sorted(set(data.tags)),
        contacts=[Contact(**contact.model_dump()) for contact in data.contacts],
    )
    session.add(client)
    await session.flush()
    await emit(session, client_created(client))
    return client


async def get_client(session: AsyncSession, client_id: uuid.UUID) -> Client:
    client = await session.scalar(
        select(Client).where(Client.id == client_id).options(selectinload(Client.contacts))
    )
    if client is None:
        raise NotFound(f"No client with id {client_id}.")
    return client


async def list_clients(
    session: AsyncSession, page: PageParams, *, search: str | None
) -> tuple[list[Client], int]:
    query = select(Client)
    if search:
        pattern = f"%{search.strip().lower()}%"
        matching_contacts = select(Contact.client_id).where(
            or_(
                func.lower(Contact.email).like(pattern), func.lower(Contact.last_name).like(pattern)
            )
        )
        query = query.where(
            or_(func.lower(Client.name).like(pattern), Client.id.in_(matching_contacts))
        )
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    clients = await session.scalars(
        query.options(selectinload(Client.contacts))
        .order_by(func.lower(Client.name), Client.id)
        .limit(page.limit)
        .offset(page.offset)
    )
    return list(clients), total
