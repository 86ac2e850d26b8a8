"""Where clients and contacts stand with the client portal: none, invited, expired, active."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import ColumnElement, Select, and_, not_, select
from sqlalchemy.ext.asyncio import AsyncSession

from portico.kit.db import utcnow
from portico.portal.clients.schemas import PortalStatus
from portico.portal.models import Client, ClientAccount, Contact, Invitation

_RANK: dict[PortalStatus, int] = {"none": 0, "expired": 1, "invited": 2, "active": 3}


async def contact_statuses(
    session: AsyncSession, contact_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, PortalStatus]:
    ids = list(contact_ids)
    statuses: dict[uuid.UUID, PortalStatus] = dict.fromkeys(ids, "none")
    if not ids:
        return statuses
    now = utcnow()
    open_invitations = await session.execute(
        select(Invitation.contact_id, Invitation.expires_at).where(
            Invitation.contact_id.in_(ids),
            Invitation.revoked_at.is_(None),
            Invitation.used_at.is_(None),
        )
    )
    for contact_id, expires_at in open_invitations:
        status: PortalStatus = "invited" if expires_at > now else "expired"
        if _RANK[status] > _RANK[statuses[contact_id]]:
            statuses[contact_id] = status
    joined = await session.scalars(
        select(ClientAccount.contact_id).where(ClientAccount.contact_id.in_(ids))
    )
    for contact_id in joined:
        statuses[contact_id] = "active"
    return statuses


def client_status(statuses: Iterable[PortalStatus]) -> PortalStatus:
    """The furthest any of the client's contacts went."""
    return max(statuses, key=_RANK.__getitem__, default="none")


def _clients_with_account() -> Select[uuid.UUID]:
    return select(Contact.client_id).join(ClientAccount, ClientAccount.contact_id == Contact.id)


def _clients_with_open_invitation(*, expired: bool) -> Select[uuid.UUID]:
    now = utcnow()
    return select(Invitation.client_id).where(
        Invitation.revoked_at.is_(None),
        Invitation.used_at.is_(None),
        Invitation.expires_at <= now if expired else Invitation.expires_at > now,
    )


def status_filter(status: PortalStatus) -> ColumnElement[bool]:
    """A WHERE clause on clients keeping those whose portal status is ``status``."""
    active = Client.id.in_(_clients_with_account())
    invited = Client.id.in_(_clients_with_open_invitation(expired=False))
    expired = Client.id.in_(_clients_with_open_invitation(expired=True))
    if status == "active":
        return active
    if status == "invited":
        return and_(invited, not_(active))
    if status == "expired":
        return and_(expired, not_(invited), not_(active))
    return and_(not_(active), not_(invited), not_(expired))
