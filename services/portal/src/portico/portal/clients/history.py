"""A client's history: every change, who or what made it, and what was refused."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from portico.kit.auth.principals import Principal
from portico.portal.models import ClientChange

# "client": a contact, acting in the client portal (accepting their invitation).
OriginKind = Literal["staff", "document", "api_key", "system", "client"]


@dataclass(frozen=True)
class Origin:
    """Who or what changed a client: a staff user, an API key, a signed document, a contact."""

    kind: OriginKind
    id: str | None = None

    @classmethod
    def of(cls, principal: Principal) -> Origin:
        return cls("api_key" if principal.role == "api_key" else "staff", principal.subject)

    @property
    def staff_user_id(self) -> uuid.UUID | None:
        """The staff user behind the change; None for anything else (or a token whose
        subject is not a staff user's id)."""
        if self.kind != "staff" or not self.id:
            return None
        try:
            return uuid.UUID(self.id)
        except ValueError:
            return None

    @property
    def label(self) -> str | None:
        """As ClientUpdated's ``origin`` names it: a staff user id, or ``<kind>:<id>``."""
        if self.kind == "staff":
            return self.id
        return f"{self.kind}:{self.id}" if self.id else self.kind


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: Any
    new: Any


def record(
    session: AsyncSession,
    client_id: uuid.UUID,
    origin: Origin,
    summary: str,
    changes: Sequence[FieldChange] = (),
    rejected: Sequence[Mapping[str, Any]] = (),
) -> None:
    session.add(
        ClientChange(
            client_id=client_id,
            origin_kind=origin.kind,
            origin_id=origin.id,
            summary=summary,
            changes=[vars(change) for change in changes],
            rejected=[dict(item) for item in rejected],
        )
    )


async def history(session: AsyncSession, client_id: uuid.UUID) -> list[ClientChange]:
    return list(
        await session.scalars(
            select(ClientChange)
            .where(ClientChange.client_id == client_id)
            .order_by(ClientChange.at.desc(), ClientChange.id)
        )
    )
