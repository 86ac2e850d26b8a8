"""Invitations to the client portal, and the access a contact gets by accepting one.

A contact is invited once; re-sending replaces the link (the old one stops working),
revoking disables it (or ends the access of a contact who joined). Accepting makes the
contact's access, under the person's one login: a new one with the password they choose,
or the one they already have (their password confirms it). Every step is written in the
client's history.
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
from portico.kit.pagination import PageParams, count_matching
from portico.kit.problems import Conflict, Gone, NotFound, TooManyRequests
from portico.kit.settings import PorticoSettings
from portico.kit.transaction import Transaction
from portico.portal.clients import history
from portico.portal.clients.history import FieldChange, Origin
from portico.portal.clients.schemas import PortalStatus
from portico.portal.clients.service import emit_client_updated, get_client
from portico.portal.clients.status import contact_statuses
from portico.portal.identity.accounts import (
    Account,
    account_by_email,
    account_by_id,
    client_accesses,
    client_login_by_email,
    normalise_email,
)
from portico.portal.identity.login import (
    forget_failures,
    record_failure,
    seconds_until_allowed,
)
from portico.portal.identity.passwords import check_new_password, hash_password, verify_password
from portico.portal.identity.sessions import end_sessions_at
from portico.portal.invitations.schemas import InvitationOut, InvitationStatus
from portico.portal.models import Client, ClientAccount, ClientLogin, Contact, Invitation
from portico.portal.notices import development_notice

ACCEPT_PATH = "/invitations/accept"


async def invite(
    tx: Transaction,
    settings: PorticoSettings,
    client: Client,
    contact: Contact,
    origin: Origin,
    lifetime: timedelta,
) -> Invitation:
    """Sends (or re-sends) the link. A person who already logs in as a client of another
    client is invited all the same: they accept with the password they have."""
    if await tx.scalar(select(ClientAccount.id).where(ClientAccount.contact_id == contact.id)):
        raise Conflict(f"{contact.name} already has a portal account; share workspaces instead.")
    existing = await account_by_email(tx, contact.email)
    if existing is not None and existing.kind == "staff":
        raise Conflict(
            f"{contact.email} already logs into Portico as a staff member; "
            "each person has one account."
        )
    before = await _status_of(tx, contact)
    now = utcnow()
    resent = await _close_open_invitations(tx, contact.id) > 0
    token, token_hash = new_capability()
    invitation = Invitation(
        client_id=client.id,
        contact_id=contact.id,
        invited_by=origin.staff_user_id,
        token_hash=token_hash,
        expires_at=now + lifetime,
        created_at=now,
    )
    tx.add(invitation)
    await tx.flush()
    link = settings.link(f"{ACCEPT_PATH}?token={token}")
    tx.emit(
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
    _record(
        tx,
        client,
        contact,
        origin,
        "invitation_resent" if resent else "invitation_sent",
        before,
        "invited",
    )
    await emit_client_updated(tx, client, [f"contacts.{contact.id}.portal_status"], origin.label)
    development_notice(settings, "invitation to the client portal", contact.email, link)
    return invitation


async def revoke(tx: Transaction, client: Client, contact: Contact, origin: Origin) -> None:
    """Disables a pending invitation, and ends a joined contact's access at this client:
    their sessions here end, their login keeps reaching their other clients."""
    before = await _status_of(tx, contact)
    closed = await _close_open_invitations(tx, contact.id)
    access = await tx.scalar(select(ClientAccount).where(ClientAccount.contact_id == contact.id))
    if access is not None:
        await end_sessions_at(tx, access.id)
        await tx.delete(access)
        await tx.flush()
    elif not closed:
        raise NotFound(f"{contact.name} has no pending invitation and no portal access.")
    summary = "access_revoked" if access is not None else "invitation_revoked"
    _record(tx, client, contact, origin, summary, before, "none")
    await emit_client_updated(tx, client, [f"contacts.{contact.id}.portal_status"], origin.label)


async def _status_of(session: AsyncSession, contact: Contact) -> PortalStatus:
    return (await contact_statuses(session, [contact.id]))[contact.id]


def _record(
    session: AsyncSession,
    client: Client,
    contact: Contact,
    origin: Origin,
    summary: str,
    before: PortalStatus,
    after: PortalStatus,
) -> None:
    """The client's history keeps every step of a contact's way into the portal."""
    change = FieldChange(f"contacts.{contact.id}.portal_status", before, after)
    history.record(session, client.id, origin, summary, [change])


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


async def reachable_login(session: AsyncSession, email: str) -> ClientLogin | None:
    """The client login of this address when it still opens at least one client."""
    login = await client_login_by_email(session, email)
    if login is None or not await client_accesses(session, login.id):
        return None
    return login


async def accept(tx: Transaction, token: str, password: str, address: str) -> Account | None:
    """Joins the contact to the portal. A person who already logs in as a client (of
    another client) confirms with their password, under the login's brute-force guard:
    None when it is wrong (the failure is recorded; the caller answers 401 once committed).
    Anyone else chooses a password."""
    invitation, contact, client = await open_invitation(tx, token)
    login = await reachable_login(tx, contact.email)
    if login is not None:
        wait = await seconds_until_allowed(tx, login.email, address)
        if wait is not None:
            raise TooManyRequests(
                f"Too many failed attempts; try again in {wait} seconds.", retry_after=wait
            )
        if not await verify_password(login.password_hash, password):
            await record_failure(tx, login.email, address)
            return None
        await forget_failures(tx, login.email)
    else:
        existing = await account_by_email(tx, contact.email)
        if existing is not None and existing.kind == "staff":
            raise Conflict(f"{contact.email} already has an account; log in instead.")
        check_new_password(password, email=contact.email)
        password_hash = await hash_password(password)
        login = await client_login_by_email(tx, contact.email)
        if login is None:
            login = ClientLogin(email=normalise_email(contact.email), password_hash=password_hash)
            tx.add(login)
        else:
            # A login that reaches no client any more: the invitation proves the address,
            # as it does for a new one, so its person chooses a password again.
            login.password_hash = password_hash
    now = utcnow()
    await tx.flush()
    access = ClientAccount(contact_id=contact.id, login_id=login.id, joined_at=now)
    tx.add(access)
    invitation.mark_used(now)
    await tx.flush()
    tx.emit(
        ClientJoined(
            client_id=client.id, contact_id=contact.id, account_id=access.id, joined_at=now
        ),
    )
    joined_client = await get_client(tx, client.id)
    origin = Origin("client", str(contact.id))
    _record(tx, joined_client, contact, origin, "invitation_accepted", "invited", "active")
    await emit_client_updated(
        tx, joined_client, [f"contacts.{contact.id}.portal_status"], origin.label
    )
    joined = await account_by_id(tx, "client", login.id, access.id)
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
) -> Select[Invitation, Contact, Client]:
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
