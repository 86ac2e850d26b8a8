"""Accounts people log in with: staff users, and contacts who joined the client portal."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from portico.kit.auth.principals import Principal, Role
from portico.kit.db import utcnow
from portico.kit.problems import ValidationProblem
from portico.portal.models import AccountKind, ClientAccount, Contact, StaffUser


@dataclass(frozen=True)
class Account:
    """What logging in, refreshing and resetting a password need to know of an account."""

    kind: AccountKind
    id: uuid.UUID
    email: str
    name: str
    locale: str
    role: Role
    password_hash: str
    client_id: uuid.UUID | None = None
    contact_id: uuid.UUID | None = None

    def principal(self, session_id: uuid.UUID) -> Principal:
        return Principal(
            subject=str(self.id),
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


def _client_account(account: ClientAccount, contact: Contact) -> Account:
    return Account(
        kind="client",
        id=account.id,
        email=contact.email,
        name=contact.name,
        locale=contact.locale,
        role="client",
        password_hash=account.password_hash,
        client_id=contact.client_id,
        contact_id=contact.id,
    )


async def account_by_email(session: AsyncSession, email: str) -> Account | None:
    """The active account with this email; staff first (an email is one account of each)."""
    email = normalise_email(email)
    user = await session.scalar(
        select(StaffUser).where(StaffUser.email == email, StaffUser.active.is_(True))
    )
    if user is not None:
        return _staff_account(user)
    row = (
        await session.execute(
            select(ClientAccount, Contact)
            .join(Contact, ClientAccount.contact_id == Contact.id)
            .where(func.lower(Contact.email) == email)
            .order_by(ClientAccount.joined_at)
            .limit(1)
        )
    ).first()
    return None if row is None else _client_account(*row)


async def ensure_no_contact_has(session: AsyncSession, email: str, *, field: str) -> None:
    """Refuse a staff address a client contact already has: logins look staff up first, so
    the contact could no longer log in (an address is one person's, across both kinds)."""
    taken = await session.scalar(
        select(Contact.id).where(func.lower(Contact.email) == normalise_email(email)).limit(1)
    )
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
    session: AsyncSession, kind: AccountKind, account_id: uuid.UUID
) -> Account | None:
    """The account, or None when it is gone or (staff) deactivated."""
    if kind == "staff":
        user = await session.get(StaffUser, account_id)
        return _staff_account(user) if user is not None and user.active else None
    row = (
        await session.execute(
            select(ClientAccount, Contact)
            .join(Contact, ClientAccount.contact_id == Contact.id)
            .where(ClientAccount.id == account_id)
        )
    ).first()
    return None if row is None else _client_account(*row)


async def set_password_hash(
    session: AsyncSession, kind: AccountKind, account_id: uuid.UUID, password_hash: str
) -> None:
    model = StaffUser if kind == "staff" else ClientAccount
    row = await session.get(model, account_id)
    if row is not None:
        row.password_hash = password_hash


async def record_login(session: AsyncSession, account: Account) -> None:
    model = StaffUser if account.kind == "staff" else ClientAccount
    row = await session.get(model, account.id)
    if row is not None:
        row.last_login_at = utcnow()
