"""Invitations to the client portal, and the account a contact makes by accepting one.

A contact is invited once; re-sending replaces the link (the old one stops working),
revoking disables it. Accepting sets the password, makes the account and emits ClientJoined.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import Select, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from portico.contracts.events.common import Person
from portico.contracts.events.portal import ClientInvited, ClientJoined
from portico.kit.auth.capabilities import hash_capability, new_capability
from portico.kit.db import utcnow
from portico.kit.outbox import emit
from portico.kit.pagination import PageParams, count_matching
from portico.kit.problems import Conflict, Gone, NotFound
from portico.kit.settings import PorticoSettings
from portico.portal.clients.history import Origin
from portico.portal.clients.service import emit_client_updated, get_client
from portico.portal.identity.accounts import Account, account_by_email
from portico.portal.identity.passwords import check_new_password, hash_password
from portico.portal.invitations.schemas import InvitationOut, InvitationStatus
from portico.portal.models import Client, ClientAccount, Contact, Invitation
from portico.portal.notices import development_notice

ACCEPT_PATH = "/invitations/accept"


async def invite(
    session: AsyncSession,
    settings: PorticoSettings,
    client: Client,
    contact: Contact,
    origin: Origin,
    lifetime: timedelta,
) -> Invitation:
    if await session.scalar(select(ClientAccount.id).where(ClientAccount.contact_id == contact.id)):
        raise Conflict(f"{contact.name} already has a portal account; share workspaces instead.")
    existing = await account_by_email(session, contact.email)
    if existing is not None:
        raise Conflict(
            f"{contact.email} already logs into Portico with another account; "
            "each person has one account."
        )
    now = utcnow()
    await _close_open_invitations(session, contact.id)
    token, token_hash = new_capability()
    invitation = Invitation(
        client_id=client.id,
        contact_id=contact.id,
        invited_by=origin.staff_user_id,
        token_hash=token_hash,
        expires_at=now + lifetime,
        created_at=now,
    )
    session.add(invitation)
    await session.flush()
    link = settings.link(f"{ACCEPT_PATH}?token={token}")
    await emit(
        session,
        ClientInvited(
            client_id=client.id,
            client_name=client.name,
            contact=Person(
                id=contact.id,
                name=contact.name,
                email=contact.email,
                phone=contact.phone,
                locale=contact.locale,
            ),
            invitation_id=invitation.id,
            accept_url=link,
            expires_at=invitation.expires_at,
            invited_by=invitation.invited_by,
        ),
    )
    await emit_client_updated(
        session, client, [f"contacts.{contact.id}.portal_status"], origin.label
    )
    development_notice(settings, "invitation to the client portal", contact.email, link)
    return invitation


async def revoke(session: AsyncSession, client: Client, contact: Contact, origin: Origin) -> None:
    if not await _close_open_invitations(session, contact.id):
        raise NotFound(f"{contact.name} has no pending invitation.")
    await emit_client_updated(
        session, client, [f"contacts.{contact.id}.portal_status"], origin.label
    )


async def _close_open_invitations(session: AsyncSession, contact_id: uuid.UUID) -> int:
    result = await session.execute(
        update(Invitation)
        .where(
            Invitation.contact_id == contact_id,
            Invitation.revoked_at.is_(None),
            Invitation.used_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def open_invitation(session: AsyncSession, token: str) -> tuple[Invitation, Contact, Client]:
    row = (
        await session.execute(
            select(Invitation, Contact, Client)
            .join(Contact, Invitation.contact_id == Contact.id)
            .join(Client, Invitation.client_id == Client.id)
            .where(Invitation.token_hash == hash_capability(token))
        )
    ).first()
    if row is None or not row[0].usable_at(utcnow()):
        raise Gone("This invitation has expired or was replaced; ask for a new one.")
    invitation, contact, client = row
    return invitation, contact, client


async def accept(session: AsyncSession, token: str, password: str) -> Account:
    invitation, contact, client = await open_invitation(session, token)
    check_new_password(password, email=contact.email)
    if await account_by_email(session, contact.email) is not None:
        raise Conflict(f"{contact.email} already has an account; log in instead.")
    now = utcnow()
    account = ClientAccount(
        contact_id=contact.id, password_hash=await hash_password(password), joined_at=now
    )
    session.add(account)
    invitation.mark_used(now)
    await session.flush()
    await emit(
        session,
        ClientJoined(
            client_id=client.id, contact_id=contact.id, account_id=account.id, joined_at=now
        ),
    )
    await emit_client_updated(
        session,
        await get_client(session, client.id),
        [f"contacts.{contact.id}.portal_status"],
        f"client:{contact.id}",
    )
    joined = await account_by_email(session, contact.email)
    assert joined is not None
    return joined


async def list_invitations(
    session: AsyncSession, page: PageParams, status: InvitationStatus | None
) -> tuple[list[InvitationOut], int]:
    query = _invitations_query(status)
    total = await count_matching(session, query)
    rows = await session.execute(
        query.order_by(Invitation.created_at.desc()).limit(page.limit).offset(page.offset)
    )
    now = utcnow()
    return [
        InvitationOut(
            id=invitation.id,
            client_id=client.id,
            client_name=client.name,
            contact_id=contact.id,
            contact_name=contact.name,
            email=contact.email,
            status=_status(invitation, now),
            created_at=invitation.created_at,
            expires_at=invitation.expires_at,
            accepted_at=invitation.used_at,
            invited_by=invitation.invited_by,
        )
        for invitation, contact, client in rows
    ], total


def _invitations_query(
    status: InvitationStatus | None,
) -> Select[tuple[Invitation, Contact, Client]]:
    now = utcnow()
    query = (
        select(Invitation, Contact, Client)
        .join(Contact, Invitation.contact_id == Contact.id)
        .join(Client, Invitation.client_id == Client.id)
    )
    if status == "accepted":
        return query.where(Invitation.used_at.is_not(None))
    if status == "revoked":
        return query.where(Invitation.revoked_at.is_not(None), Invitation.used_at.is_(None))
    if status in ("pending", "expired"):
        open_ = query.where(Invitation.revoked_at.is_(None), Invitation.used_at.is_(None))
        if status == "pending":
            return open_.where(Invitation.expires_at > now)
        return open_.where(Invitation.expires_at <= now)
    return query


def _status(invitation: Invitation, now: datetime) -> InvitationStatus:
    if invitation.used_at is not None:
        return "accepted"
    if invitation.revoked_at is not None:
        return "revoked"
    return "pending" if invitation.expires_at > now else "expired"
