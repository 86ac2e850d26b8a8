"""Use cases on workspaces and what they hold. The caller owns the transaction.

Endpoints load the workspace through ``access.visible_workspace`` first; these functions
trust that the caller may see it, and check only what depends on the data (a contact of
another client, an assignee who is not a member...).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal, TypeVar

from sqlalchemy import Select, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from portico.contracts.events.common import Person
from portico.contracts.events.portal import (
    FileUploaded,
    MessagePosted,
    MessageRecipient,
    TaskAssigned,
    TaskCompleted,
    WorkspaceShared,
)
from portico.kit.auth import Principal
from portico.kit.db import utcnow
from portico.kit.html import sanitise_html
from portico.kit.pagination import PageParams, fetch_page
from portico.kit.problems import Forbidden, NotFound, ValidationProblem
from portico.kit.settings import PorticoSettings
from portico.kit.transaction import Transaction
from portico.portal.models import (
    Client,
    ClientAccount,
    Contact,
    Message,
    Note,
    StaffUser,
    Task,
    Workspace,
    WorkspaceFile,
    WorkspaceLink,
    WorkspaceMember,
)
from portico.portal.workspaces.access import visible_to
from portico.portal.workspaces.blobs import workspace_prefix
from portico.portal.workspaces.schemas import (
    Assignee,
    LinkIn,
    MemberOut,
    NoteIn,
    NotePatch,
    TaskIn,
    TaskPatch,
    WorkspaceIn,
    WorkspaceOut,
    WorkspacePatch,
)

EXCERPT_LENGTH = 500

ItemT = TypeVar("ItemT", Note, WorkspaceLink, WorkspaceFile, Task, Message)


@dataclass(frozen=True)
class Author:
    """Who makes an item: a staff user (their id) or a client's contact (the contact's id)."""

    kind: Literal["staff", "client"]
    id: uuid.UUID | None

    @classmethod
    def of(cls, principal: Principal) -> Author:
        if principal.is_client:
            return cls("client", principal.contact_id)
        return cls("staff", staff_id(principal))


def staff_id(principal: Principal) -> uuid.UUID | None:
    """The staff user behind a token; None when the subject is not one (a forged test token)."""
    try:
        return uuid.UUID(principal.subject)
    except ValueError:
        return None


def workspace_url(links: PorticoSettings, workspace_id: uuid.UUID) -> str:
    return links.link(f"/portal/workspaces/{workspace_id}")


def _contact_person(contact: Contact) -> Person:
    return Person(
        id=contact.id,
        name=contact.name,
        email=contact.email,
        phone=contact.phone,
        locale=contact.locale,
    )


def _staff_person(user: StaffUser) -> Person:
    return Person(
        id=user.id,
        name=user.name,
        email=user.email,
        phone=user.phone,
        locale=user.locale,
    )


async def with_portal_access(session: AsyncSession, contacts: Iterable[Contact]) -> list[Contact]:
    """Those of ``contacts`` who can open the portal: they joined (have an account).

    The one rule of who among a client's contacts is told of workspace activity (shared,
    a message, a task): a link to the portal is useless to someone who cannot log in, and
    must not reach a contact whose invitation was revoked. Having an account is the whole
    test: a revoked invitation made none, and a contact's access ends only with their
    account. A contact who has not joined is still shared with and given tasks; they find
    them when they log in.
    """
    contacts = list(contacts)
    if not contacts:
        return []
    joined = set(
        await session.scalars(
            select(ClientAccount.contact_id).where(
                ClientAccount.contact_id.in_([contact.id for contact in contacts])
            )
        )
    )
    return [contact for contact in contacts if contact.id in joined]


async def _author_name(session: AsyncSession, author: Author) -> str:
    if author.kind == "client":
        contact = await session.get(Contact, author.id) if author.id else None
        return contact.name if contact is not None else "A contact"
    user = await session.get(StaffUser, author.id) if author.id else None
    return user.name if user is not None else "Staff"


async def _client_was_active(session: AsyncSession, client_id: uuid.UUID) -> None:
    """Moves the client up the staff dashboard's recent activity, after a contact's action.

    ``updated_at`` is given as it is: it says when the record changed, which this is not.
    """
    await session.execute(
        update(Client)
        .where(Client.id == client_id)
        .values(last_activity_at=utcnow(), updated_at=Client.updated_at)
        .execution_options(synchronize_session=False)
    )


# --- Workspaces -----------------------------------------------------------------------------


async def create_workspace(
    tx: Transaction,
    links: PorticoSettings,
    client: Client,
    data: WorkspaceIn,
    shared_by: uuid.UUID | None,
) -> Workspace:
    workspace = Workspace(
        client_id=client.id,
        name=data.name,
        project_name=data.project_name,
        clients_can_upload=data.clients_can_upload,
    )
    tx.add(workspace)
    await tx.flush()
    if data.contact_ids:
        await set_members(tx, links, workspace, data.contact_ids, shared_by)
    return workspace


async def list_workspaces(
    session: AsyncSession,
    principal: Principal,
    page: PageParams,
    *,
    client_id: uuid.UUID | None = None,
    include_archived: bool = False,
) -> tuple[list[Workspace], int]:
    query = visible_to(principal)
    if client_id is not None:
        query = query.where(Workspace.client_id == client_id)
    if not include_archived:
        query = query.where(Workspace.archived_at.is_(None))
    return await fetch_page(session, query, page, Workspace.created_at.desc(), Workspace.id)


async def workspaces_out(
    session: AsyncSession, workspaces: Sequence[Workspace]
) -> list[WorkspaceOut]:
    members: dict[uuid.UUID, list[MemberOut]] = {workspace.id: [] for workspace in workspaces}
    if workspaces:
        rows = await session.execute(
            select(WorkspaceMember, Contact)
            .join(Contact, Contact.id == WorkspaceMember.contact_id)
            .where(WorkspaceMember.workspace_id.in_(list(members)))
            .order_by(Contact.last_name, Contact.first_name, Contact.id)
        )
        for member, contact in rows:
            members[member.workspace_id].append(
                MemberOut(
                    contact_id=contact.id,
                    name=contact.name,
                    email=contact.email,
                    shared_at=member.shared_at,
                )
            )
    return [
        WorkspaceOut(
            id=workspace.id,
            client_id=workspace.client_id,
            name=workspace.name,
            project_name=workspace.project_name,
            clients_can_upload=workspace.clients_can_upload,
            archived_at=workspace.archived_at,
            members=members[workspace.id],
            created_at=workspace.created_at,
            updated_at=workspace.updated_at,
        )
        for workspace in workspaces
    ]


async def workspace_out(session: AsyncSession, workspace: Workspace) -> WorkspaceOut:
    [answer] = await workspaces_out(session, [workspace])
    return answer


def update_workspace(workspace: Workspace, patch: WorkspacePatch) -> None:
    fields = patch.model_dump(exclude_unset=True)
    for name in ("name", "clients_can_upload", "archived"):
        if name in fields and fields[name] is None:
            raise ValidationProblem.for_field(name, "cannot be null")
    if "name" in fields:
        workspace.name = fields["name"]
    if "project_name" in fields:
        workspace.project_name = fields["project_name"]
    if "clients_can_upload" in fields:
        workspace.clients_can_upload = fields["clients_can_upload"]
    if "archived" in fields:
        if fields["archived"] and workspace.archived_at is None:
            workspace.archived_at = utcnow()
        elif not fields["archived"]:
            workspace.archived_at = None


async def delete_workspace(session: AsyncSession, workspace: Workspace) -> None:
    await session.delete(workspace)
    await session.flush()


async def member_ids(session: AsyncSession, workspace: Workspace) -> set[uuid.UUID]:
    return set(
        await session.scalars(
            select(WorkspaceMember.contact_id).where(WorkspaceMember.workspace_id == workspace.id)
        )
    )


async def set_members(
    tx: Transaction,
    links: PorticoSettings,
    workspace: Workspace,
    contact_ids: Iterable[uuid.UUID],
    shared_by: uuid.UUID | None,
) -> list[Contact]:
    """Shares the workspace with exactly these contacts; answers those newly added.

    Only the newly added hear of it (WorkspaceShared), and only those with portal access:
    saving the same list twice, or removing someone, tells no one.
    """
    wanted = list(dict.fromkeys(contact_ids))
    contacts = {
        contact.id: contact
        for contact in await tx.scalars(
            select(Contact).where(Contact.id.in_(wanted), Contact.client_id == workspace.client_id)
        )
    }
    for index, contact_id in enumerate(wanted):
        if contact_id not in contacts:
            raise ValidationProblem.for_field(
                f"contact_ids.{index}", f"{contact_id} is not a contact of this workspace's client"
            )
    current = await member_ids(tx, workspace)
    removed = current - set(wanted)
    if removed:
        await tx.execute(
            delete(WorkspaceMember).where(
                WorkspaceMember.workspace_id == workspace.id,
                WorkspaceMember.contact_id.in_(removed),
            )
        )
    added = [contacts[contact_id] for contact_id in wanted if contact_id not in current]
    tx.add_all(
        WorkspaceMember(workspace_id=workspace.id, contact_id=contact.id) for contact in added
    )
    await tx.flush()
    # An archived workspace is hidden from clients: a notice would lead them to a 404.
    told = await with_portal_access(tx, added) if workspace.archived_at is None else []
    if told:
        tx.emit(
            WorkspaceShared(
                workspace_id=workspace.id,
                client_id=workspace.client_id,
                workspace_name=workspace.name,
                project_name=workspace.project_name,
                contacts=[_contact_person(contact) for contact in told],
                shared_by=shared_by,
                workspace_url=workspace_url(links, workspace.id),
            ),
        )
    return added


# --- Items ----------------------------------------------------------------------------------


async def _item(
    session: AsyncSession, model: type[ItemT], workspace: Workspace, item_id: uuid.UUID
) -> ItemT:
    item = await session.scalar(
        select(model).where(model.id == item_id, model.workspace_id == workspace.id)
    )
    if item is None:
        kind = model.__tablename__.removeprefix("workspace_").removesuffix("s")
        raise NotFound(f"No {kind} with id {item_id} in this workspace.")
    return item


async def _items(session: AsyncSession, model: type[ItemT], workspace: Workspace) -> list[ItemT]:
    return list(
        await session.scalars(
            select(model)
            .where(model.workspace_id == workspace.id)
            .order_by(model.created_at, model.id)
        )
    )


# --- Notes ----------------------------------------------------------------------------------


async def list_notes(session: AsyncSession, workspace: Workspace) -> list[Note]:
    return await _items(session, Note, workspace)


async def get_note(session: AsyncSession, workspace: Workspace, note_id: uuid.UUID) -> Note:
    return await _item(session, Note, workspace, note_id)


async def add_note(
    session: AsyncSession, workspace: Workspace, data: NoteIn, author: Author
) -> Note:
    note = Note(
        workspace_id=workspace.id,
        author_kind=author.kind,
        author_id=author.id,
        title=data.title,
        body_html=sanitise_html(data.body_html),
    )
    session.add(note)
    await session.flush()
    return note


async def update_note(session: AsyncSession, note: Note, patch: NotePatch) -> None:
    fields = patch.model_dump(exclude_unset=True)
    for name in ("title", "body_html"):
        if name in fields and fields[name] is None:
            raise ValidationProblem.for_field(name, "cannot be null")
    if "title" in fields:
        note.title = fields["title"]
    if "body_html" in fields:
        note.body_html = sanitise_html(fields["body_html"])
    await session.flush()


# --- Links ----------------------------------------------------------------------------------


async def list_links(session: AsyncSession, workspace: Workspace) -> list[WorkspaceLink]:
    return await _items(session, WorkspaceLink, workspace)


async def get_link(
    session: AsyncSession, workspace: Workspace, link_id: uuid.UUID
) -> WorkspaceLink:
    return await _item(session, WorkspaceLink, workspace, link_id)


async def add_link(
    session: AsyncSession, workspace: Workspace, data: LinkIn, author: Author
) -> WorkspaceLink:
    link = WorkspaceLink(
        workspace_id=workspace.id,
        author_kind=author.kind,
        author_id=author.id,
        title=data.title,
        url=data.url,
    )
    session.add(link)
    await session.flush()
    return link


# --- Files ----------------------------------------------------------------------------------


async def list_files(session: AsyncSession, workspace: Workspace) -> list[WorkspaceFile]:
    return await _items(session, WorkspaceFile, workspace)


async def get_file(
    session: AsyncSession, workspace: Workspace, file_id: uuid.UUID
) -> WorkspaceFile:
    return await _item(session, WorkspaceFile, workspace, file_id)


def file_key(workspace_id: uuid.UUID, file_id: uuid.UUID) -> str:
    return f"{workspace_prefix(workspace_id)}{file_id}"


async def add_file(
    tx: Transaction,
    links: PorticoSettings,
    workspace: Workspace,
    author: Author,
    *,
    file_id: uuid.UUID,
    name: str,
    content_type: str,
    size: int,
    sha256: str,
) -> WorkspaceFile:
    stored = WorkspaceFile(
        id=file_id,
        workspace_id=workspace.id,
        author_kind=author.kind,
        author_id=author.id,
        name=name,
        content_type=content_type,
        size=size,
        sha256=sha256,
        blob_key=file_key(workspace.id, file_id),
    )
    tx.add(stored)
    await tx.flush()
    if author.id is not None:
        recipients = await _client_acted(tx, workspace, author)
        tx.emit(
            FileUploaded(
                file_id=stored.id,
                workspace_id=workspace.id,
                client_id=workspace.client_id,
                workspace_name=workspace.name,
                file_name=stored.name,
                content_type=stored.content_type,
                size_bytes=stored.size,
                uploaded_by_kind=author.kind,
                uploaded_by_id=author.id,
                uploaded_by_name=await _author_name(tx, author),
                recipients=recipients,
                workspace_url=workspace_url(links, workspace.id),
            ),
        )
    return stored


# --- Tasks ----------------------------------------------------------------------------------


async def list_tasks(session: AsyncSession, workspace: Workspace) -> list[Task]:
    return await _items(session, Task, workspace)


async def get_task(session: AsyncSession, workspace: Workspace, task_id: uuid.UUID) -> Task:
    return await _item(session, Task, workspace, task_id)


async def _assignee_person(
    session: AsyncSession, workspace: Workspace, assignee: Assignee
) -> Person:
    """The assignee, if they can be given a task in this workspace; else a 422."""
    if assignee.kind == "staff":
        user = await session.get(StaffUser, assignee.id)
        if user is None or not user.active:
            raise ValidationProblem.for_field("assignee.id", "is not an active staff user")
        return _staff_person(user)
    if assignee.id not in await member_ids(session, workspace):
        raise ValidationProblem.for_field(
            "assignee.id", "is not a contact this workspace is shared with"
        )
    contact = await session.get(Contact, assignee.id)
    assert contact is not None  # a member row references an existing contact
    return _contact_person(contact)


async def _emit_assigned(
    tx: Transaction,
    links: PorticoSettings,
    workspace: Workspace,
    task: Task,
    assignee: Person,
    assigned_by: uuid.UUID | None,
) -> None:
    await tx.flush()
    if task.assignee_kind == "contact":
        contact = await tx.get(Contact, assignee.id)
        if contact is None or not await with_portal_access(tx, [contact]):
            return  # they cannot open the portal yet: the task waits there for them
    tx.emit(
        TaskAssigned(
            task_id=task.id,
            workspace_id=workspace.id,
            client_id=workspace.client_id,
            title=task.title,
            due_on=task.due_on,
            assignee_kind=task.assignee_kind,
            assignee=assignee,
            assigned_by=assigned_by,
            workspace_url=workspace_url(links, workspace.id),
        ),
    )


async def add_task(
    tx: Transaction,
    links: PorticoSettings,
    workspace: Workspace,
    data: TaskIn,
    author: Author,
    *,
    task_id: uuid.UUID | None = None,
    description: str | None = None,
) -> Task:
    """``task_id`` and ``description`` come from another service's request (a quote's task,
    ``quote_tasks``): the id it chose, the text it sent."""
    person = None
    if data.assignee is not None:
        person = await _assignee_person(tx, workspace, data.assignee)
    task = Task(
        id=task_id or uuid.uuid4(),
        workspace_id=workspace.id,
        author_kind=author.kind,
        author_id=author.id,
        title=data.title,
        description=description,
        due_on=data.due_on,
        assignee_kind=data.assignee.kind if data.assignee else None,
        assignee_id=data.assignee.id if data.assignee else None,
    )
    tx.add(task)
    await tx.flush()
    if person is not None:
        await _emit_assigned(tx, links, workspace, task, person, author.id)
    return task


def _set_done(task: Task, done: bool) -> None:
    if done and task.done_at is None:
        task.done_at = utcnow()
    elif not done:
        task.done_at = None


async def update_task(
    tx: Transaction,
    links: PorticoSettings,
    workspace: Workspace,
    task: Task,
    patch: TaskPatch,
    principal: Principal,
) -> None:
    fields = patch.model_dump(exclude_unset=True)
    if principal.is_client:
        # A client only ticks what was asked of them, and changes nothing else.
        own = task.assignee_kind == "contact" and task.assignee_id == principal.contact_id
        if not own or set(fields) - {"done"}:
            raise Forbidden("You can only tick tasks assigned to you.")
    for name in ("title", "done"):
        if name in fields and fields[name] is None:
            raise ValidationProblem.for_field(name, "cannot be null")
    if "title" in fields:
        task.title = fields["title"]
    if "due_on" in fields:
        task.due_on = fields["due_on"]
    completed = "done" in fields and fields["done"] and task.done_at is None
    if "done" in fields:
        _set_done(task, fields["done"])
    if "assignee" in fields:
        assignee = patch.assignee
        if assignee is None:
            task.assignee_kind = task.assignee_id = None
        elif (assignee.kind, assignee.id) != (task.assignee_kind, task.assignee_id):
            person = await _assignee_person(tx, workspace, assignee)
            task.assignee_kind, task.assignee_id = assignee.kind, assignee.id
            await _emit_assigned(tx, links, workspace, task, person, staff_id(principal))
    await tx.flush()
    author = Author.of(principal)
    if completed and author.id is not None:
        assert task.done_at is not None  # just set by _set_done
        tx.emit(
            TaskCompleted(
                task_id=task.id,
                workspace_id=workspace.id,
                client_id=workspace.client_id,
                workspace_name=workspace.name,
                title=task.title,
                completed_by_kind=author.kind,
                completed_by_id=author.id,
                completed_by_name=await _author_name(tx, author),
                completed_at=task.done_at,
                recipients=await _client_acted(tx, workspace, author),
                workspace_url=workspace_url(links, workspace.id),
            ),
        )


# --- Messages -------------------------------------------------------------------------------


async def list_messages(
    session: AsyncSession,
    workspace: Workspace,
    *,
    after: datetime | None,
    limit: int,
    before: datetime | None = None,
) -> list[Message]:
    """Oldest first: the first ``limit`` after ``after``, or the last ``limit`` before
    ``before`` (read newest first through the index, then put back in order)."""
    query = select(Message).where(Message.workspace_id == workspace.id)
    if after is not None:
        query = query.where(Message.created_at > _aware(after))
    if before is not None:
        return await _last(session, query.where(Message.created_at < _aware(before)), limit)
    return list(await session.scalars(query.order_by(Message.created_at, Message.id).limit(limit)))


async def latest_messages(session: AsyncSession, workspace: Workspace, limit: int) -> list[Message]:
    """The thread's last ``limit`` messages, oldest first."""
    return await _last(session, select(Message).where(Message.workspace_id == workspace.id), limit)


async def _last(session: AsyncSession, query: Select[Message], limit: int) -> list[Message]:
    # Read newest first through the index, then put back in order.
    newest_first = query.order_by(Message.created_at.desc(), Message.id.desc()).limit(limit)
    return list(reversed(list(await session.scalars(newest_first))))


def _aware(moment: datetime) -> datetime:
    # A timestamp without a zone is read as UTC, the zone every answer is given in.
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


async def _staff_recipients(session: AsyncSession, client_id: uuid.UUID) -> list[StaffUser]:
    """Who hears of what a client does: the staff user in charge, or else every admin."""
    client = await session.get(Client, client_id)
    if client is not None and client.assigned_staff_id is not None:
        assigned = await session.get(StaffUser, client.assigned_staff_id)
        if assigned is not None and assigned.active:
            return [assigned]
    return list(
        await session.scalars(
            select(StaffUser)
            .where(StaffUser.role == "admin", StaffUser.active.is_(True))
            .order_by(StaffUser.created_at, StaffUser.id)
        )
    )


async def _member_contacts(session: AsyncSession, workspace: Workspace) -> list[Contact]:
    return list(
        await session.scalars(
            select(Contact)
            .join(WorkspaceMember, WorkspaceMember.contact_id == Contact.id)
            .where(WorkspaceMember.workspace_id == workspace.id)
            .order_by(Contact.created_at, Contact.id)
        )
    )


def _recipient(kind: Literal["staff", "contact"], person: Person) -> MessageRecipient:
    return MessageRecipient(kind=kind, **person.model_dump())


async def _client_acted(
    session: AsyncSession, workspace: Workspace, author: Author
) -> list[MessageRecipient]:
    """Records a contact's message, file or task done as the client's latest activity, and
    answers who hears of it: the staff in charge (or every admin). Staff's own actions are
    neither: the answer is no one."""
    if author.kind != "client":
        return []
    await _client_was_active(session, workspace.client_id)
    staff = await _staff_recipients(session, workspace.client_id)
    return [_recipient("staff", _staff_person(user)) for user in staff]


async def post_message(
    tx: Transaction,
    links: PorticoSettings,
    workspace: Workspace,
    body: str,
    principal: Principal,
) -> Message:
    author = Author.of(principal)
    recipients: list[MessageRecipient]
    if principal.is_client:
        contact = await tx.get(Contact, principal.contact_id)
        if contact is None:
            # The contact was removed after the token was issued: they see nothing any more.
            raise NotFound(f"No workspace with id {workspace.id}.")
        author_name = contact.name
        recipients = await _client_acted(tx, workspace, author)
    else:
        author_name = await _author_name(tx, author)
        contacts = await with_portal_access(tx, await _member_contacts(tx, workspace))
        recipients = [_recipient("contact", _contact_person(contact)) for contact in contacts]
    message = Message(
        workspace_id=workspace.id,
        author_kind=author.kind,
        author_id=author.id,
        author_name=author_name,
        body=body,
    )
    tx.add(message)
    await tx.flush()
    if author.id is not None:
        tx.emit(
            MessagePosted(
                message_id=message.id,
                workspace_id=workspace.id,
                client_id=workspace.client_id,
                workspace_name=workspace.name,
                author_kind=author.kind,
                author_id=author.id,
                author_name=author_name,
                excerpt=_excerpt(body),
                recipients=[r for r in recipients if r.id != author.id],
                workspace_url=workspace_url(links, workspace.id),
            ),
        )
    return message


def _excerpt(body: str) -> str:
    flat = " ".join(body.split())
    if len(flat) <= EXCERPT_LENGTH:
        return flat
    return flat[: EXCERPT_LENGTH - 1].rstrip() + "…"
