"""Use cases on staff users. The caller owns the transaction."""

from __future__ import annotations

import secrets
import uuid
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from portico.kit.problems import Conflict, NotFound, ValidationProblem
from portico.kit.settings import PorticoSettings
from portico.kit.transaction import Transaction
from portico.portal.identity.accounts import (
    account_by_id,
    ensure_no_contact_has,
    normalise_email,
)
from portico.portal.identity.passwords import check_new_password, hash_password, verify_password
from portico.portal.identity.resets import send_reset_link
from portico.portal.identity.sessions import end_all_sessions
from portico.portal.models import StaffUser
from portico.portal.staff.replica import staff_user_changed
from portico.portal.staff.schemas import PasswordChangeIn, ProfilePatch, StaffUserIn


async def create_staff_user(
    tx: Transaction,
    settings: PorticoSettings,
    data: StaffUserIn,
    *,
    welcome_link_lifetime: timedelta,
) -> StaffUser:
    """A new staff user; without a password, they are emailed a link to choose one."""
    email = normalise_email(str(data.email))
    await _ensure_email_free(tx, email, field="email")
    if data.password is not None:
        check_new_password(data.password, email=email)
    user = StaffUser(
        email=email,
        first_name=data.first_name,
        last_name=data.last_name,
        phone=data.phone,
        locale=data.locale,
        role=data.role,
        # Nobody knows this one: the user chooses theirs from the emailed link.
        password_hash=await hash_password(data.password or secrets.token_urlsafe(32)),
        active=True,
    )
    tx.add(user)
    await tx.flush()
    tx.emit(staff_user_changed(user))
    if data.password is None:
        account = await account_by_id(tx, "staff", user.id)
        assert account is not None
        await send_reset_link(tx, settings, account, welcome_link_lifetime)
    return user


async def get_staff_user(session: AsyncSession, user_id: uuid.UUID) -> StaffUser:
    user = await session.get(StaffUser, user_id)
    if user is None:
        raise NotFound(f"No staff user with id {user_id}.")
    return user


async def list_staff_users(session: AsyncSession, *, include_inactive: bool) -> list[StaffUser]:
    query = select(StaffUser).order_by(func.lower(StaffUser.last_name), StaffUser.first_name)
    if not include_inactive:
        query = query.where(StaffUser.active.is_(True))
    return list(await session.scalars(query))


async def update_staff_user(tx: Transaction, user: StaffUser, patch: ProfilePatch) -> StaffUser:
    changes = patch.model_dump(exclude_unset=True)
    if changes.get("email") is not None:
        changes["email"] = normalise_email(changes["email"])
        if changes["email"] != user.email:
            await _ensure_email_free(tx, changes["email"], field="email")
    for name in ("first_name", "last_name", "email", "locale", "role", "active"):
        if name in changes and changes[name] is None:
            raise ValidationProblem.for_field(name, "cannot be empty")
    stays_admin = changes.get("role", user.role) == "admin" and changes.get("active", user.active)
    if user.role == "admin" and user.active and not stays_admin:
        await _ensure_another_admin(tx, user.id)
    changed = {name: value for name, value in changes.items() if getattr(user, name) != value}
    for name, value in changed.items():
        setattr(user, name, value)
    if changed.get("active") is False:
        await end_all_sessions(tx, "staff", user.id)
    if changed:
        await tx.flush()
        tx.emit(staff_user_changed(user))
    return user


async def change_password(session: AsyncSession, user: StaffUser, data: PasswordChangeIn) -> None:
    if not await verify_password(user.password_hash, data.current_password):
        raise ValidationProblem.for_field("current_password", "is not your current password")
    check_new_password(data.new_password, email=user.email, field="new_password")
    user.password_hash = await hash_password(data.new_password)


async def _ensure_email_free(session: AsyncSession, email: str, *, field: str) -> None:
    if await session.scalar(select(StaffUser.id).where(StaffUser.email == email)):
        raise ValidationProblem.for_field(field, "is already the email of a staff user")
    await ensure_no_contact_has(session, email, field=field)


async def _ensure_another_admin(session: AsyncSession, user_id: uuid.UUID) -> None:
    others = await session.scalar(
        select(func.count())
        .select_from(StaffUser)
        .where(StaffUser.role == "admin", StaffUser.active.is_(True), StaffUser.id != user_id)
    )
    if not others:
        raise Conflict("Portico needs at least one active administrator; appoint another first.")
