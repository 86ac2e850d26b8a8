"""Accounts people log in with: staff users, and contacts who joined the client portal."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from portico.kit.auth.principals import Principal, Role
from portico.kit.db import utcnow
from portico.kit.problems import ValidationProblem
from portico.portal.models import (
    AccountKind,
    Client,
    ClientAccount,
    ClientLogin,
    Contact,
    StaffUser,
)


@dataclass(frozen=True)
class Account:
    """What logging in, refreshing and resetting a password need to know of an account.

    A client account is a person's login (``id``) seen at one client: ``client_account_id``
    is their access there, ``client_id`` and ``contact_id`` what their tokens carry.
    """

    kind: AccountKind
    id: uuid.UUID
    email: str
    name: str
    locale: str
    role: Role
    password_hash: str
    client_id: uuid.UUID | None = None
    contact_id: uuid.UUID | None = None
    client_account_id: uuid.UUID | None = None

    def principal(self, session_id: uuid.UUID) -> Principal:
        return Principal(
            # A client's subject is their access at the one client the token is for.
            subject=str(self.client_account_id or self.id),
            role=self.role,
            client_id=self.client_id,
            contact_id=self.contact_id,
            token_id=str(session_id),
        )


def normalise_email(email: str) -> str:
    return email.strip().lower()


def _staff_account(user: StaffUser) -> Account:
    return Account(
        kind="staff",
        id=user.id,
        email=user.email,
        name=user.name,
        locale=user.locale,
        role="admin" if user.role == "admin" else "staff",
        password_hash=user.password_hash,
    )


def _client_account(login: ClientLogin, access: ClientAccount, contact: Contact) -> Account:
    return Account(
        kind="client",
        id=login.id,
        email=login.email,
        name=contact.name,
        locale=contact.locale,
        role="client",
        password_hash=login.password_hash,
        client_id=contact.client_id,
        contact_id=contact.id,
        client_account_id=access.id,
    )


def _accesses(login_id: uuid.UUID) -> Select[ClientAccount, Contact, Client]:
    """A login's accesses, the most recently used first (never used: the oldest first)."""
    return (
        select(ClientAccount, Contact, Client)
        .join(Contact, ClientAccount.contact_id == Contact.id)
        .join(Client, Contact.client_id == Client.id)
        .where(ClientAccount.login_id == login_id)
        .order_by(
            ClientAccount.last_login_at.is_(None),
            ClientAccount.last_login_at.desc(),
            ClientAccount.joined_at,
            ClientAccount.id,
        )
    )


async def client_accesses(
    session: AsyncSession, login_id: uuid.UUID
) -> list[tuple[ClientAccount, Contact, Client]]:
    """Every client this person can open, as (access, contact, client)."""
    rows = await session.execute(_accesses(login_id))
    return [(access, contact, client) for access, contact, client in rows]


async def client_login_by_email(session: AsyncSession, email: str) -> ClientLogin | None:
    return await session.scalar(
        select(ClientLogin).where(ClientLogin.email == normalise_email(email))
    )


async def client_account_at(
    session: AsyncSession, login_id: uuid.UUID, client_id: uuid.UUID | None = None
) -> Account | None:
    """The person's account at this client (None when they have no access there), or, with
    no client, at the one they used last."""
    query = _accesses(login_id)
    if client_id is not None:
        query = query.where(Contact.client_id == client_id)
    row = (await session.execute(query.limit(1))).first()
    login = await session.get(ClientLogin, login_id)
    if row is None or login is None:
        return None
    access, contact, _client = row
    return _client_account(login, access, contact)


async def account_by_email(session: AsyncSession, email: str) -> Account | None:
    """The active account with this email; staff first (an email is one account of each).

    A client login is answered at the client its person used last; a login whose every
    access was revoked opens nothing and is no account."""
    email = normalise_email(email)
    user = await session.scalar(
        select(StaffUser).where(StaffUser.email == email, StaffUser.active.is_(True))
    )
    if user is not None:
        return _staff_account(user)
    login = await client_login_by_email(session, email)
    return None if login is None else await client_account_at(session, login.id)


async def ensure_no_contact_has(session: AsyncSession, email: str, *, field: str) -> None:
    """Refuse a staff address a client contact already has: logins look staff up first, so
    the contact could no longer log in (an address is one person's, across both kinds)."""
    email = normalise_email(email)
    taken = await session.scalar(
        select(Contact.id).where(func.lower(Contact.email) == email).limit(1)
    )
    # A login keeps the address it was made with, even once its contacts' addresses change.
    if taken is None:
        taken = await session.scalar(select(ClientLogin.id).where(ClientLogin.email == email))
    if taken is not None:
        raise ValidationProblem.for_field(
            field, "is already the email of a client contact", code="email_taken"
        )


async def ensure_no_staff_has(session: AsyncSession, email: str, *, field: str) -> None:
    """Refuse a contact address a staff user (active or not) already has."""
    taken = await session.scalar(
        select(StaffUser.id).where(StaffUser.email == normalise_email(email)).limit(1)
    )
    if taken is not None:
        raise ValidationProblem.for_field(
            field, "is already the email of a staff user", code="email_taken"
        )


async def account_by_id(
    session: AsyncSession,
    kind: AccountKind,
    account_id: uuid.UUID,
    client_account_id: uuid.UUID | None = None,
) -> Account | None:
    """The account, or None when it is gone or (staff) deactivated. A client login is
    answered at its access ``client_account_id`` (None once that access is revoked), or
    without one at the client it used last."""
    if kind == "staff":
        user = await session.get(StaffUser, account_id)
        return _staff_account(user) if user is not None and user.active else None
    if client_account_id is None:
        return await client_account_at(session, account_id)
    row = (
        await session.execute(
            select(ClientLogin, ClientAccount, Contact)
            .join(ClientAccount, ClientAccount.login_id == ClientLogin.id)
            .join(Contact, ClientAccount.contact_id == Contact.id)
            .where(ClientLogin.id == account_id, ClientAccount.id == client_account_id)
        )
    ).first()
    return None if row is None else _client_account(*row)


async def set_password_hash(
    session: AsyncSession, kind: AccountKind, account_id: uuid.UUID, password_hash: str
) -> None:
    row: StaffUser | ClientLogin | None = await session.get(
        StaffUser if kind == "staff" else ClientLogin, account_id
    )
    if row is not None:
        row.password_hash = password_hash


async def record_login(session: AsyncSession, account: Account) -> None:
    now = utcnow()
    row: StaffUser | ClientLogin | None = await session.get(
        StaffUser if account.kind == "staff" else ClientLogin, account.id
    )
    if row is not None:
        row.last_login_at = now
    if account.client_account_id is not None:
        # The client the next login lands on.
        access = await session.get(ClientAccount, account.client_account_id)
        if access is not None:
            access.last_login_at = now
