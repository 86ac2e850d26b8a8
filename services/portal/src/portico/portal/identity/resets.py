"""Password reset by an emailed, one-use, expiring link (staff and client accounts alike)."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from portico.contracts.events.portal import PasswordResetRequested
from portico.kit.auth.capabilities import hash_capability, new_capability
from portico.kit.db import utcnow
from portico.kit.problems import Gone
from portico.kit.settings import PorticoSettings
from portico.kit.transaction import Transaction
from portico.portal.identity.accounts import (
    Account,
    account_by_email,
    account_by_id,
    set_password_hash,
)
from portico.portal.identity.passwords import check_new_password, hash_password
from portico.portal.identity.sessions import end_all_sessions
from portico.portal.models import PasswordReset
from portico.portal.notices import development_notice

RESET_PATH = "/password/reset"


async def request_reset(
    tx: Transaction, settings: PorticoSettings, email: str, lifetime: timedelta
) -> None:
    """Emits the link when the email is an account's; silent otherwise (no account probing)."""
    account = await account_by_email(tx, email)
    if account is not None:
        await send_reset_link(tx, settings, account, lifetime)


async def send_reset_link(
    tx: Transaction, settings: PorticoSettings, account: Account, lifetime: timedelta
) -> None:
    now = utcnow()
    # Only the newest link works.
    await tx.execute(
        update(PasswordReset)
        .where(
            PasswordReset.account_kind == account.kind,
            PasswordReset.account_id == account.id,
            PasswordReset.revoked_at.is_(None),
            PasswordReset.used_at.is_(None),
        )
        .values(revoked_at=now)
    )
    token, token_hash = new_capability()
    reset = PasswordReset(
        account_kind=account.kind,
        account_id=account.id,
        token_hash=token_hash,
        expires_at=now + lifetime,
    )
    tx.add(reset)
    link = settings.link(f"{RESET_PATH}?token={token}")
    tx.emit(
        PasswordResetRequested(
            account_kind=account.kind,
            user_id=account.id,
            email=account.email,
            name=account.name,
            locale=account.locale,
            reset_url=link,
            expires_at=reset.expires_at,
        ),
    )
    development_notice(settings, "password reset link", account.email, link)


async def complete_reset(session: AsyncSession, token: str, password: str) -> Account:
    reset = await session.scalar(
        select(PasswordReset).where(PasswordReset.token_hash == hash_capability(token))
    )
    now = utcnow()
    if reset is None or not reset.usable_at(now):
        raise Gone("This password reset link has expired or was already used; ask for a new one.")
    account = await account_by_id(session, reset.account_kind, reset.account_id)
    if account is None:
        raise Gone("This account no longer exists.")
    check_new_password(password, email=account.email)
    await set_password_hash(session, account.kind, account.id, await hash_password(password))
    reset.mark_used(now)
    await end_all_sessions(session, account.kind, account.id)
    return account
