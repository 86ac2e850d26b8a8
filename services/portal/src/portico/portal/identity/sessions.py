"""Login sessions: access tokens (whose ``jti`` is the session id) and rotating refresh tokens.

A refresh token works once: refreshing replaces it. Presenting the previous one again means
it was copied, so the whole session ends (RFC 6819 §5.2.2.3, refresh token rotation), unless
it comes within the grace after the exchange: then it gets the same answer as the exchange
(``rotation.py`` says how and why).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import exists, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from portico.kit.auth.capabilities import capability_matches, hash_capability, new_capability
from portico.kit.auth.principals import RevocationCheck
from portico.kit.auth.tokens import TokenIssuer
from portico.kit.db import Database, utcnow
from portico.portal.identity.accounts import (
    Account,
    account_by_id,
    client_account_at,
    record_login,
)
from portico.portal.identity.rotation import RefreshRotation
from portico.portal.models import AccountKind, ApiKey, AuthSession, ClientAccount


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    refresh_token: str
    expires_in: int


async def open_session(
    session: AsyncSession,
    issuer: TokenIssuer,
    account: Account,
    *,
    lifetime: timedelta,
    address: str | None = None,
    user_agent: str | None = None,
) -> IssuedTokens:
    refresh_token, refresh_hash = new_capability()
    now = utcnow()
    login = AuthSession(
        id=uuid.uuid4(),
        account_kind=account.kind,
        account_id=account.id,
        client_account_id=account.client_account_id,
        refresh_token_hash=refresh_hash,
        created_at=now,
        refreshed_at=now,
        expires_at=now + lifetime,
        address=address,
        user_agent=(user_agent or "")[:300] or None,
    )
    session.add(login)
    await record_login(session, account)
    access_token, expires_in = issuer.issue(account.principal(login.id))
    return IssuedTokens(access_token, refresh_token, expires_in)


async def refresh_session(
    session: AsyncSession,
    issuer: TokenIssuer,
    rotation: RefreshRotation,
    refresh_token: str,
    *,
    lifetime: timedelta,
) -> IssuedTokens | None:
    """New tokens for a live session, or None (the caller answers 401 after committing,
    since a replayed token has just ended its session)."""
    presented = hash_capability(refresh_token)
    now = utcnow()
    login = await session.scalar(
        select(AuthSession).where(
            or_(
                AuthSession.refresh_token_hash == presented,
                AuthSession.previous_refresh_hash == presented,
            )
        )
    )
    if login is None or login.revoked_at is not None or login.expires_at <= now:
        return None
    account = await account_by_id(
        session, login.account_kind, login.account_id, login.client_account_id
    )
    if account is None:
        login.revoked_at = now
        return None
    successor = rotation.successor(login.id, refresh_token)
    if login.refresh_token_hash == presented:
        # Conditional, so that of simultaneous refreshes one rotates and the others find
        # the token replaced (they wait for its commit) and take the grace below.
        rotated = await session.execute(
            update(AuthSession)
            .where(AuthSession.id == login.id, AuthSession.refresh_token_hash == presented)
            .values(
                previous_refresh_hash=presented,
                refresh_token_hash=hash_capability(successor),
                refreshed_at=now,
                expires_at=now + lifetime,
            )
        )
        if rotated.rowcount == 1:  # type: ignore[attr-defined]
            return _issue(issuer, account, login.id, successor, now)
        await session.refresh(login)
    if (
        login.revoked_at is None
        and login.previous_refresh_hash == presented
        and rotation.replaced_token_still_accepted(login.refreshed_at, now)
        and capability_matches(successor, login.refresh_token_hash)
    ):
        # Issued at the exchange's moment: the very pair the exchange answered.
        return _issue(issuer, account, login.id, successor, login.refreshed_at)
    login.revoked_at = login.revoked_at or now
    return None


def _issue(
    issuer: TokenIssuer, account: Account, session_id: uuid.UUID, refresh_token: str, at: datetime
) -> IssuedTokens:
    access_token, expires_in = issuer.issue(account.principal(session_id), now=at)
    return IssuedTokens(access_token, refresh_token, expires_in)


async def end_session(session: AsyncSession, session_id: uuid.UUID) -> None:
    await session.execute(
        update(AuthSession)
        .where(AuthSession.id == session_id, AuthSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


async def end_all_sessions(session: AsyncSession, kind: AccountKind, account_id: uuid.UUID) -> None:
    """After a password change or a deactivation: every device logs in again."""
    await session.execute(
        update(AuthSession)
        .where(
            AuthSession.account_kind == kind,
            AuthSession.account_id == account_id,
            AuthSession.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )


async def end_sessions_at(session: AsyncSession, client_account_id: uuid.UUID) -> None:
    """When an access at one client is revoked: the sessions open there end (their tokens
    are refused at once); the person's sessions at their other clients go on."""
    await session.execute(
        update(AuthSession)
        .where(
            AuthSession.client_account_id == client_account_id,
            AuthSession.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )


async def switch_client(
    session: AsyncSession,
    issuer: TokenIssuer,
    session_id: uuid.UUID,
    client_id: uuid.UUID,
    *,
    lifetime: timedelta,
) -> IssuedTokens | None:
    """Ends this client session and opens one at another client of the same person, or
    answers None when the session is not a live client one or the person has no access
    at that client. A new session rather than new tokens for this one: a session's tokens
    then always speak for one client, so revoking an access ends exactly its sessions."""
    current = await session.get(AuthSession, session_id)
    now = utcnow()
    if (
        current is None
        or current.account_kind != "client"
        or current.revoked_at is not None
        or current.expires_at <= now
    ):
        return None
    account = await client_account_at(session, current.account_id, client_id)
    if account is None:
        return None
    current.revoked_at = now
    return await open_session(
        session,
        issuer,
        account,
        lifetime=lifetime,
        address=current.address,
        user_agent=current.user_agent,
    )


def revocation(database: Database) -> RevocationCheck:
    """The portal's check of every access token: its session ended, or its API key revoked."""

    async def is_revoked(token_id: str) -> bool:
        try:
            key = uuid.UUID(token_id)
        except ValueError:
            return False
        async with database.sessions() as session:
            return bool(
                await session.scalar(
                    select(
                        exists().where(AuthSession.id == key, AuthSession.revoked_at.is_not(None))
                        | exists().where(ApiKey.id == key, ApiKey.revoked_at.is_not(None))
                        # A client session whose access is gone (the contact or the client
                        # was deleted): its tokens stop at once here too.
                        | exists().where(
                            AuthSession.id == key,
                            AuthSession.client_account_id.is_not(None),
                            ~exists().where(ClientAccount.id == AuthSession.client_account_id),
                        )
                    )
                )
            )

    return is_revoked
