"""Logging in: the brute-force guard, then the password check in constant time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from portico.kit.db import utcnow
from portico.portal.identity.accounts import Account, account_by_email, normalise_email
from portico.portal.identity.passwords import verify_password
from portico.portal.identity.throttle import ACCOUNT_RULE, ADDRESS_RULE, retry_after
from portico.portal.models import LoginFailure


async def seconds_until_allowed(session: AsyncSession, email: str, address: str) -> int | None:
    """How long this email or this address must wait, or None when a try is allowed."""
    now = utcnow()
    oldest = now - max(ACCOUNT_RULE.window, ADDRESS_RULE.window)
    by_email = await _failures(session, LoginFailure.email == normalise_email(email), oldest)
    by_address = await _failures(session, LoginFailure.address == address, oldest)
    waits = [
        wait
        for wait in (
            retry_after(by_email, ACCOUNT_RULE, now),
            retry_after(by_address, ADDRESS_RULE, now),
        )
        if wait is not None
    ]
    return max(waits) if waits else None


async def authenticate(session: AsyncSession, email: str, password: str) -> Account | None:
    account = await account_by_email(session, email)
    # Verified against a dummy hash when there is no account: both answers take as long.
    if await verify_password(account.password_hash if account else None, password):
        return account
    return None


async def record_failure(session: AsyncSession, email: str, address: str) -> None:
    now = utcnow()
    session.add(LoginFailure(email=normalise_email(email), address=address, at=now))
    # Failures older than every window count for nothing: keep the table small.
    await session.execute(
        delete(LoginFailure).where(
            LoginFailure.at < now - max(ACCOUNT_RULE.window, ADDRESS_RULE.window)
        )
    )


async def forget_failures(session: AsyncSession, email: str) -> None:
    await session.execute(delete(LoginFailure).where(LoginFailure.email == normalise_email(email)))


async def _failures(
    session: AsyncSession, condition: ColumnElement[bool], since: datetime
) -> list[datetime]:
    return list(
        await session.scalars(select(LoginFailure.at).where(condition, LoginFailure.at > since))
    )
