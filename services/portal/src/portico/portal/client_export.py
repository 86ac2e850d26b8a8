"""The portal's own part of a client's data export (docs/exports.md).

The portal asks the other services, and gives its part directly: its job runs when the
export is asked for and records the part itself (``exports.parts.record_part``), with
no event to itself. What it holds about a client: the client's record and contacts, the
history of changes, the invitations (their dates, never their tokens' hashes), the
contacts' portal logins (never the password's hash) with their accounts, sessions (the
address and browser they came from) and failed logins, where the client stands for its
documents, and its workspaces with their members, notes, links, tasks, messages and
files; each file under ``files/workspaces/<workspace id>/<file id>/<its name>``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from portico.contracts.events.exports import ClientExportRequested
from portico.kit.client_exports import ClientExport, ExportContents, file_path
from portico.portal.exports.parts import record_part
from portico.portal.models import (
    AuthSession,
    Client,
    ClientAccount,
    ClientChange,
    ClientDocumentState,
    ClientLogin,
    Contact,
    Invitation,
    LoginFailure,
    Message,
    Note,
    Task,
    Workspace,
    WorkspaceFile,
    WorkspaceLink,
    WorkspaceMember,
)


async def collect(session: AsyncSession, request: ClientExportRequested) -> ExportContents:
    client_id = request.client_id
    contents = ExportContents()
    contents.add_rows(
        "clients", await session.scalars(select(Client).where(Client.id == client_id))
    )
    contacts = list(
        await session.scalars(
            select(Contact).where(Contact.client_id == client_id).order_by(Contact.created_at)
        )
    )
    contents.add_rows("contacts", contacts)
    by_client: list[tuple[str, Any, Any]] = [
        ("client_changes", ClientChange, ClientChange.at),
        ("invitations", Invitation, Invitation.created_at),
        ("client_document_states", ClientDocumentState, ClientDocumentState.document_type_id),
    ]
    for table, model, order in by_client:
        contents.add_rows(
            table,
            await session.scalars(
                select(model).where(model.client_id == client_id).order_by(order)
            ),
        )
    contact_ids = [contact.id for contact in contacts]
    accounts = list(
        await session.scalars(
            select(ClientAccount).where(ClientAccount.contact_id.in_(contact_ids))
        )
    )
    contents.add_rows("client_accounts", accounts)
    login_ids = [account.login_id for account in accounts]
    logins = await session.scalars(select(ClientLogin).where(ClientLogin.id.in_(login_ids)))
    contents.add_rows("client_logins", logins)
    account_ids = [account.id for account in accounts]
    sessions = await session.scalars(
        select(AuthSession)
        .where(AuthSession.client_account_id.in_(account_ids))
        .order_by(AuthSession.created_at)
    )
    contents.add_rows("auth_sessions", sessions)
    emails = sorted({contact.email.lower() for contact in contacts if contact.email})
    failures = await session.scalars(
        select(LoginFailure)
        .where(func.lower(LoginFailure.email).in_(emails))
        .order_by(LoginFailure.at)
    )
    contents.add_rows("login_failures", failures)
    await _workspaces(session, client_id, contents)
    return contents


async def _workspaces(session: AsyncSession, client_id: Any, contents: ExportContents) -> None:
    workspaces = list(
        await session.scalars(
            select(Workspace).where(Workspace.client_id == client_id).order_by(Workspace.created_at)
        )
    )
    contents.add_rows("workspaces", workspaces)
    ids = [workspace.id for workspace in workspaces]
    if not ids:
        return
    contents.add_rows(
        "workspace_members",
        await session.scalars(select(WorkspaceMember).where(WorkspaceMember.workspace_id.in_(ids))),
    )
    items: list[tuple[str, Any]] = [
        ("workspace_notes", Note),
        ("workspace_links", WorkspaceLink),
        ("workspace_tasks", Task),
        ("workspace_messages", Message),
    ]
    for table, model in items:
        contents.add_rows(
            table,
            await session.scalars(
                select(model).where(model.workspace_id.in_(ids)).order_by(model.created_at)
            ),
        )
    files = list(
        await session.scalars(
            select(WorkspaceFile)
            .where(WorkspaceFile.workspace_id.in_(ids))
            .order_by(WorkspaceFile.created_at)
        )
    )
    contents.add_rows("workspace_files", files)
    for stored in files:
        contents.add_file(
            file_path("workspaces", stored.workspace_id, stored.id, stored.name), stored.blob_key
        )


CLIENT_EXPORT = ClientExport("portal", collect, answer=record_part)
JOBS = CLIENT_EXPORT.jobs
