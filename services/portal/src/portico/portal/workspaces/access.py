"""Who may see which workspace: the one check every workspace endpoint goes through.

Staff see every workspace. A client's contact sees one only when it belongs to their
client, is shared with them, and is not archived. Anything else is "not found", never
"forbidden": a client must not learn that a workspace exists by guessing its id.
"""

from __future__ import annotations

import uuid

from sqlalchemy import Select, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from portico.kit.auth import Principal
from portico.kit.problems import Forbidden, NotFound
from portico.portal.models import Workspace, WorkspaceMember


def not_found(workspace_id: uuid.UUID) -> NotFound:
    return NotFound(f"No workspace with id {workspace_id}.")


def visible_to(principal: Principal) -> Select[Workspace]:
    """The workspaces ``principal`` may see, as a query to narrow further."""
    query = select(Workspace)
    if principal.is_staff:
        return query
    if not principal.is_client or principal.contact_id is None:
        # Matches nothing: API keys and clients without a contact see no workspace.
        return query.where(Workspace.id.is_(None))
    membership = exists().where(
        WorkspaceMember.workspace_id == Workspace.id,
        WorkspaceMember.contact_id == principal.contact_id,
    )
    return query.where(
        Workspace.client_id == principal.client_id,
        Workspace.archived_at.is_(None),
        membership,
    )


async def visible_workspace(
    session: AsyncSession,
    principal: Principal,
    workspace_id: uuid.UUID,
    *,
    for_update: bool = False,
) -> Workspace:
    """The workspace if ``principal`` may see it, else ``NotFound``.

    ``for_update`` locks the row on PostgreSQL, for changes that read before they write
    (the members list), so two requests do not both add the same contact.
    """
    if principal.role == "api_key":
        # Workspaces hold people's conversations: no API key scope opens them.
        raise Forbidden("API keys cannot read workspaces.")
    query = visible_to(principal).where(Workspace.id == workspace_id)
    if for_update:
        query = query.with_for_update()
    workspace = await session.scalar(query)
    if workspace is None:
        raise not_found(workspace_id)
    return workspace


def require_staff(principal: Principal, action: str) -> None:
    """For writes only staff make, once the workspace is known to be visible to the caller."""
    if not principal.is_staff:
        raise Forbidden(f"Only staff members can {action}.")
