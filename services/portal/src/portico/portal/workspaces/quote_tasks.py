"""Tasks asked for from a quote (QuoteTaskRequested): the quotes service names the task,
the portal, which owns workspaces, makes it in the client's.

Which workspace: the client's newest one not archived, where its current work is. A
client without one gets one, named "Quotes" ("Devis" when the organisation speaks
French) and shared with no contact: staff share it when they choose, as any workspace.

The task keeps the id the quotes service chose, so a second copy of the event (delivered
again, or published again by a relay that stopped before marking it sent) finds it and
does nothing. Its description is the one asked for, then the quote's link on a line of
its own. It is added as staff add one by hand (``service.add_task``), so its assignee
hears of it the same way (TaskAssigned).

What a retry would not mend is not an error: a client deleted since gets no task, and an
assignee deactivated since leaves the task unassigned; each says so in the log.
"""

from __future__ import annotations

import structlog
from sqlalchemy import select

from portico.contracts.events.quotes import QuoteTaskRequested
from portico.kit.inbox import EventContext
from portico.kit.settings import PorticoSettings
from portico.kit.transaction import Transaction
from portico.portal.models import Client, Organisation, StaffUser, Task, Workspace
from portico.portal.workspaces import service
from portico.portal.workspaces.schemas import Assignee, TaskIn, WorkspaceIn

log = structlog.get_logger(__name__)

# The workspace made for a client who has none, in the organisation's language.
WORKSPACE_NAMES = {"fr": "Devis", "en": "Quotes"}


def task_description(event: QuoteTaskRequested) -> str:
    """What staff wrote, then the quote's staff page on a line of its own."""
    link = str(event.quote_admin_url)
    return f"{event.description.strip()}\n\n{link}" if event.description else link


async def _workspace_for(tx: Transaction, links: PorticoSettings, client: Client) -> Workspace:
    newest = await tx.scalar(
        select(Workspace)
        .where(Workspace.client_id == client.id, Workspace.archived_at.is_(None))
        .order_by(Workspace.created_at.desc(), Workspace.id.desc())
        .limit(1)
    )
    if newest is not None:
        return newest
    organisation = await tx.get(Organisation, 1)
    locale = organisation.default_locale if organisation is not None else "en"
    name = WORKSPACE_NAMES.get(locale, WORKSPACE_NAMES["en"])
    return await service.create_workspace(tx, links, client, WorkspaceIn(name=name), None)


async def _assignee(event: QuoteTaskRequested, tx: Transaction) -> Assignee | None:
    if event.assignee_id is None:
        return None
    user = await tx.get(StaffUser, event.assignee_id)
    if user is None or not user.active:
        log.warning(
            "quote task left unassigned: its assignee is not an active staff user",
            task_id=str(event.task_id),
            assignee_id=str(event.assignee_id),
        )
        return None
    return Assignee(kind="staff", id=user.id)


async def create_quote_task(event: QuoteTaskRequested, context: EventContext) -> None:
    tx = context.tx
    # Locked first: two copies of the event handled at once make one task (and one
    # workspace for a client who had none), the second seeing what the first made.
    client = await tx.locked(Client, event.client_id)
    if client is None:
        log.info(
            "quote task not created: the client no longer exists",
            task_id=str(event.task_id),
            quote_id=str(event.quote_id),
            client_id=str(event.client_id),
        )
        return
    if await tx.get(Task, event.task_id) is not None:
        return  # made by an earlier copy of the event
    links = PorticoSettings()
    workspace = await _workspace_for(tx, links, client)
    await service.add_task(
        tx,
        links,
        workspace,
        TaskIn(title=event.title, due_on=event.due_on, assignee=await _assignee(event, tx)),
        service.Author("staff", event.requested_by),
        task_id=event.task_id,
        description=task_description(event),
    )
