"""The workspaces API: thin routes that find the workspace the caller may see, authorise
the action, call the service and shape the answer.

Every route under a workspace starts with ``access.visible_workspace``, so a client who
may not see a workspace gets the same 404 from each of them, whether it exists or not,
before any role check could answer 403.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, File, Query, Request, Response, UploadFile, status
from fastapi.responses import StreamingResponse

from portico.kit.auth import CurrentPrincipal, Principal
from portico.kit.deps import Store, Tx, get_runtime
from portico.kit.downloads import attachment, safe_file_name
from portico.kit.pagination import Page, Paging
from portico.kit.problems import (
    FieldError,
    Forbidden,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationProblem,
    problem_responses,
)
from portico.kit.store import BlobNotFound
from portico.kit.store.base import CHUNK
from portico.portal.clients import service as clients
from portico.portal.models import Workspace
from portico.portal.settings import Settings
from portico.portal.workspaces import service
from portico.portal.workspaces.access import require_staff, visible_workspace
from portico.portal.workspaces.blobs import delete_files_after_commit
from portico.portal.workspaces.schemas import (
    FileOut,
    LinkIn,
    LinkOut,
    MembersIn,
    MessageIn,
    MessageOut,
    NoteIn,
    NoteOut,
    NotePatch,
    TaskIn,
    TaskOut,
    TaskPatch,
    WorkspaceContentsOut,
    WorkspaceIn,
    WorkspaceOut,
    WorkspacePatch,
)
from portico.portal.workspaces.service import Author, staff_id
from portico.portal.workspaces.uploads import checked_type

router = APIRouter(prefix="/v1", tags=["workspaces"])

READ = problem_responses(401, 403, 404, 422)
WRITE = problem_responses(401, 403, 404, 422)


async def _page(
    tx: Tx, workspaces: list[Workspace], total: int, page: Paging
) -> Page[WorkspaceOut]:
    return Page[WorkspaceOut](
        items=await service.workspaces_out(tx, workspaces),
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


def _own_client(principal: Principal, client_id: uuid.UUID) -> None:
    """A client reaches only its own client's routes; any other client id does not exist."""
    if principal.is_staff:
        return
    if not principal.is_client or principal.client_id != client_id:
        raise NotFound(f"No client with id {client_id}.")


# --- Workspaces -----------------------------------------------------------------------------


@router.post(
    "/clients/{client_id}/workspaces",
    status_code=status.HTTP_201_CREATED,
    responses=WRITE,
    summary="Create a workspace for a client, shared with the contacts named (WorkspaceShared)",
)
async def create_workspace(
    client_id: uuid.UUID,
    body: WorkspaceIn,
    request: Request,
    tx: Tx,
    principal: CurrentPrincipal,
) -> WorkspaceOut:
    _own_client(principal, client_id)
    require_staff(principal, "create workspaces")
    client = await clients.get_client(tx, client_id)
    workspace = await service.create_workspace(
        tx, get_runtime(request).settings, client, body, staff_id(principal)
    )
    return await service.workspace_out(tx, workspace)


@router.get(
    "/clients/{client_id}/workspaces",
    responses=READ,
    summary="A client's workspaces, newest first (a client sees those shared with them)",
)
async def list_client_workspaces(
    client_id: uuid.UUID,
    tx: Tx,
    principal: CurrentPrincipal,
    page: Paging,
    include_archived: Annotated[
        bool, Query(description="Also archived ones (staff only; clients never see them)")
    ] = False,
) -> Page[WorkspaceOut]:
    _own_client(principal, client_id)
    if principal.is_staff:
        await clients.get_client(tx, client_id)
    workspaces, total = await service.list_workspaces(
        tx, principal, page, client_id=client_id, include_archived=include_archived
    )
    return await _page(tx, workspaces, total, page)


@router.get(
    "/workspaces",
    responses=problem_responses(401, 403, 422),
    summary="The workspaces I may see: all for staff, those shared with me for a client",
)
async def list_workspaces(
    tx: Tx,
    principal: CurrentPrincipal,
    page: Paging,
    client_id: Annotated[uuid.UUID | None, Query(description="Of this client only")] = None,
    include_archived: Annotated[
        bool, Query(description="Also archived ones (staff only; clients never see them)")
    ] = False,
) -> Page[WorkspaceOut]:
    if principal.role == "api_key":
        raise Forbidden("API keys cannot read workspaces.")
    workspaces, total = await service.list_workspaces(
        tx, principal, page, client_id=client_id, include_archived=include_archived
    )
    return await _page(tx, workspaces, total, page)


@router.get("/workspaces/{workspace_id}", responses=READ, summary="Read a workspace")
async def get_workspace(
    workspace_id: uuid.UUID, tx: Tx, principal: CurrentPrincipal
) -> WorkspaceOut:
    workspace = await visible_workspace(tx, principal, workspace_id)
    return await service.workspace_out(tx, workspace)


@router.patch(
    "/workspaces/{workspace_id}",
    responses=WRITE,
    summary="Rename, change the project, allow uploads, archive or restore a workspace",
)
async def update_workspace(
    workspace_id: uuid.UUID, body: WorkspacePatch, tx: Tx, principal: CurrentPrincipal
) -> WorkspaceOut:
    workspace = await visible_workspace(tx, principal, workspace_id)
    require_staff(principal, "change workspaces")
    service.update_workspace(workspace, body)
    await tx.flush()
    await tx.refresh(workspace)
    return await service.workspace_out(tx, workspace)


@router.delete(
    "/workspaces/{workspace_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404),
    summary="Delete a workspace with everything in it, files included",
)
async def delete_workspace(
    workspace_id: uuid.UUID, tx: Tx, principal: CurrentPrincipal
) -> Response:
    workspace = await visible_workspace(tx, principal, workspace_id)
    require_staff(principal, "delete workspaces")
    await service.delete_workspace(tx, workspace)
    await delete_files_after_commit(tx, workspace_ids=[workspace_id])
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.put(
    "/workspaces/{workspace_id}/members",
    responses=WRITE,
    summary="Share with exactly these contacts (WorkspaceShared for those newly added)",
)
async def set_members(
    workspace_id: uuid.UUID,
    body: MembersIn,
    request: Request,
    tx: Tx,
    principal: CurrentPrincipal,
) -> WorkspaceOut:
    workspace = await visible_workspace(tx, principal, workspace_id, for_update=True)
    require_staff(principal, "share workspaces")
    await service.set_members(
        tx, get_runtime(request).settings, workspace, body.contact_ids, staff_id(principal)
    )
    return await service.workspace_out(tx, workspace)


# --- Notes ----------------------------------------------------------------------------------


@router.get("/workspaces/{workspace_id}/notes", responses=READ, summary="A workspace's notes")
async def list_notes(workspace_id: uuid.UUID, tx: Tx, principal: CurrentPrincipal) -> list[NoteOut]:
    workspace = await visible_workspace(tx, principal, workspace_id)
    return [NoteOut.model_validate(note) for note in await service.list_notes(tx, workspace)]


@router.post(
    "/workspaces/{workspace_id}/notes",
    status_code=status.HTTP_201_CREATED,
    responses=WRITE,
    summary="Add a note (its HTML is sanitised before it is stored)",
)
async def add_note(
    workspace_id: uuid.UUID, body: NoteIn, tx: Tx, principal: CurrentPrincipal
) -> NoteOut:
    workspace = await visible_workspace(tx, principal, workspace_id)
    require_staff(principal, "write notes")
    note = await service.add_note(tx, workspace, body, Author.of(principal))
    return NoteOut.model_validate(note)


@router.get("/workspaces/{workspace_id}/notes/{note_id}", responses=READ, summary="Read a note")
async def get_note(
    workspace_id: uuid.UUID, note_id: uuid.UUID, tx: Tx, principal: CurrentPrincipal
) -> NoteOut:
    workspace = await visible_workspace(tx, principal, workspace_id)
    return NoteOut.model_validate(await service.get_note(tx, workspace, note_id))


@router.patch(
    "/workspaces/{workspace_id}/notes/{note_id}", responses=WRITE, summary="Change a note"
)
async def update_note(
    workspace_id: uuid.UUID,
    note_id: uuid.UUID,
    body: NotePatch,
    tx: Tx,
    principal: CurrentPrincipal,
) -> NoteOut:
    workspace = await visible_workspace(tx, principal, workspace_id)
    require_staff(principal, "write notes")
    note = await service.get_note(tx, workspace, note_id)
    await service.update_note(tx, note, body)
    await tx.refresh(note)
    return NoteOut.model_validate(note)


@router.delete(
    "/workspaces/{workspace_id}/notes/{note_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404),
    summary="Delete a note",
)
async def delete_note(
    workspace_id: uuid.UUID, note_id: uuid.UUID, tx: Tx, principal: CurrentPrincipal
) -> Response:
    workspace = await visible_workspace(tx, principal, workspace_id)
    require_staff(principal, "delete notes")
    await tx.delete(await service.get_note(tx, workspace, note_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- Links ----------------------------------------------------------------------------------


@router.get("/workspaces/{workspace_id}/links", responses=READ, summary="A workspace's links")
async def list_links(workspace_id: uuid.UUID, tx: Tx, principal: CurrentPrincipal) -> list[LinkOut]:
    workspace = await visible_workspace(tx, principal, workspace_id)
    return [LinkOut.model_validate(link) for link in await service.list_links(tx, workspace)]


@router.post(
    "/workspaces/{workspace_id}/links",
    status_code=status.HTTP_201_CREATED,
    responses=WRITE,
    summary="Add a link (http or https only)",
)
async def add_link(
    workspace_id: uuid.UUID, body: LinkIn, tx: Tx, principal: CurrentPrincipal
) -> LinkOut:
    workspace = await visible_workspace(tx, principal, workspace_id)
    require_staff(principal, "add links")
    link = await service.add_link(tx, workspace, body, Author.of(principal))
    return LinkOut.model_validate(link)


@router.delete(
    "/workspaces/{workspace_id}/links/{link_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404),
    summary="Delete a link",
)
async def delete_link(
    workspace_id: uuid.UUID, link_id: uuid.UUID, tx: Tx, principal: CurrentPrincipal
) -> Response:
    workspace = await visible_workspace(tx, principal, workspace_id)
    require_staff(principal, "delete links")
    await tx.delete(await service.get_link(tx, workspace, link_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- Files ----------------------------------------------------------------------------------


def _file_problem(
    problem: type[PayloadTooLarge] | type[UnsupportedMediaType], message: str, code: str
) -> PayloadTooLarge | UnsupportedMediaType:
    return problem(
        f"file: {message}.",
        errors=[FieldError(field="file", location="body", message=message, code=code)],
    )


@router.get("/workspaces/{workspace_id}/files", responses=READ, summary="A workspace's files")
async def list_files(workspace_id: uuid.UUID, tx: Tx, principal: CurrentPrincipal) -> list[FileOut]:
    workspace = await visible_workspace(tx, principal, workspace_id)
    return [FileOut.model_validate(item) for item in await service.list_files(tx, workspace)]


@router.post(
    "/workspaces/{workspace_id}/files",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 404, 413, 415, 422),
    summary="Upload a file: PDF, image, office document, text, CSV or ZIP, within the size limit",
)
async def upload_file(
    workspace_id: uuid.UUID,
    file: Annotated[UploadFile, File(description="The file")],
    request: Request,
    tx: Tx,
    principal: CurrentPrincipal,
    settings: Settings,
) -> FileOut:
    workspace = await visible_workspace(tx, principal, workspace_id)
    if principal.is_client and not workspace.clients_can_upload:
        raise Forbidden("Uploads by clients are turned off in this workspace.")
    limit = settings.max_upload_mib * 1024 * 1024
    too_big = f"must be at most {settings.max_upload_mib} MiB"
    if file.size is not None and file.size > limit:
        raise _file_problem(PayloadTooLarge, too_big, "file_too_large")
    name = safe_file_name(file.filename)
    first = await file.read(CHUNK)
    content_type = checked_type(name, file.content_type, first)
    if content_type is None:
        raise _file_problem(
            UnsupportedMediaType,
            "must be a PDF, a PNG, JPEG, GIF or WebP image, a DOCX, XLSX, PPTX or ODT "
            "document, a text or CSV file or a ZIP archive, with the matching extension",
            "file_type",
        )

    async def chunks() -> AsyncIterator[bytes]:
        # Counted as it goes: the declared size is only a hint, the bytes are the truth.
        size = len(first)
        if size > limit:
            raise _file_problem(PayloadTooLarge, too_big, "file_too_large")
        yield first
        while chunk := await file.read(CHUNK):
            size += len(chunk)
            if size > limit:
                raise _file_problem(PayloadTooLarge, too_big, "file_too_large")
            yield chunk

    file_id = uuid.uuid4()
    blob = await get_runtime(request).store.put(
        service.file_key(workspace.id, file_id), chunks(), content_type=content_type
    )
    stored = await service.add_file(
        tx,
        get_runtime(request).settings,
        workspace,
        Author.of(principal),
        file_id=file_id,
        name=name,
        content_type=content_type,
        size=blob.size,
        sha256=blob.sha256,
    )
    return FileOut.model_validate(stored)


@router.get(
    "/workspaces/{workspace_id}/files/{file_id}/download",
    responses=problem_responses(401, 403, 404),
    response_class=StreamingResponse,
    summary="Download a file",
)
async def download_file(
    workspace_id: uuid.UUID,
    file_id: uuid.UUID,
    tx: Tx,
    store: Store,
    principal: CurrentPrincipal,
) -> StreamingResponse:
    workspace = await visible_workspace(tx, principal, workspace_id)
    stored = await service.get_file(tx, workspace, file_id)
    try:
        # Checked before streaming: once the response has started, a 404 can no longer be sent.
        await store.stat(stored.blob_key)
    except BlobNotFound:
        raise NotFound(f"The content of file {file_id} is missing.") from None
    return StreamingResponse(
        store.stream(stored.blob_key),
        media_type=stored.content_type,
        headers={
            "Content-Disposition": attachment(stored.name),
            "Content-Length": str(stored.size),
            # Served from the portal's origin: the browser must not guess the type (HTML).
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        },
    )


@router.delete(
    "/workspaces/{workspace_id}/files/{file_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404),
    summary="Delete a file",
)
async def delete_file(
    workspace_id: uuid.UUID,
    file_id: uuid.UUID,
    tx: Tx,
    principal: CurrentPrincipal,
) -> Response:
    workspace = await visible_workspace(tx, principal, workspace_id)
    require_staff(principal, "delete files")
    stored = await service.get_file(tx, workspace, file_id)
    await tx.delete(stored)
    await tx.flush()
    await delete_files_after_commit(tx, keys=[stored.blob_key])
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- Tasks ----------------------------------------------------------------------------------


@router.get("/workspaces/{workspace_id}/tasks", responses=READ, summary="A workspace's tasks")
async def list_tasks(workspace_id: uuid.UUID, tx: Tx, principal: CurrentPrincipal) -> list[TaskOut]:
    workspace = await visible_workspace(tx, principal, workspace_id)
    return [TaskOut.model_validate(task) for task in await service.list_tasks(tx, workspace)]


@router.post(
    "/workspaces/{workspace_id}/tasks",
    status_code=status.HTTP_201_CREATED,
    responses=WRITE,
    summary="Add a task, assigned to a staff user or a member contact (TaskAssigned)",
)
async def add_task(
    workspace_id: uuid.UUID,
    body: TaskIn,
    request: Request,
    tx: Tx,
    principal: CurrentPrincipal,
) -> TaskOut:
    workspace = await visible_workspace(tx, principal, workspace_id)
    require_staff(principal, "add tasks")
    task = await service.add_task(
        tx, get_runtime(request).settings, workspace, body, Author.of(principal)
    )
    return TaskOut.model_validate(task)


@router.patch(
    "/workspaces/{workspace_id}/tasks/{task_id}",
    responses=WRITE,
    summary="Tick a task done or undone (clients: theirs only); staff change everything",
)
async def update_task(
    workspace_id: uuid.UUID,
    task_id: uuid.UUID,
    body: TaskPatch,
    request: Request,
    tx: Tx,
    principal: CurrentPrincipal,
) -> TaskOut:
    workspace = await visible_workspace(tx, principal, workspace_id)
    task = await service.get_task(tx, workspace, task_id)
    await service.update_task(tx, get_runtime(request).settings, workspace, task, body, principal)
    return TaskOut.model_validate(task)


@router.delete(
    "/workspaces/{workspace_id}/tasks/{task_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404),
    summary="Delete a task",
)
async def delete_task(
    workspace_id: uuid.UUID, task_id: uuid.UUID, tx: Tx, principal: CurrentPrincipal
) -> Response:
    workspace = await visible_workspace(tx, principal, workspace_id)
    require_staff(principal, "delete tasks")
    await tx.delete(await service.get_task(tx, workspace, task_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- Everything at once ----------------------------------------------------------------------


@router.get(
    "/workspaces/{workspace_id}/contents",
    responses=READ,
    summary="Everything a workspace's page shows: notes, links, files, tasks, latest messages",
    description=(
        "One read for a page that shows every section: the same lists as the sections' own "
        "endpoints, and the thread's last `messages` messages, oldest first."
    ),
)
async def get_contents(
    workspace_id: uuid.UUID,
    tx: Tx,
    principal: CurrentPrincipal,
    messages: Annotated[
        int, Query(ge=1, le=500, description="How many of the latest messages")
    ] = 50,
) -> WorkspaceContentsOut:
    workspace = await visible_workspace(tx, principal, workspace_id)
    return WorkspaceContentsOut(
        notes=[NoteOut.model_validate(note) for note in await service.list_notes(tx, workspace)],
        links=[LinkOut.model_validate(link) for link in await service.list_links(tx, workspace)],
        files=[FileOut.model_validate(item) for item in await service.list_files(tx, workspace)],
        tasks=[TaskOut.model_validate(task) for task in await service.list_tasks(tx, workspace)],
        messages=[
            MessageOut.model_validate(message)
            for message in await service.latest_messages(tx, workspace, messages)
        ],
    )


# --- Messages -------------------------------------------------------------------------------


@router.get(
    "/workspaces/{workspace_id}/messages",
    responses=READ,
    summary="The thread, oldest first; poll with ?after=<created_at of the last one seen>",
    description=(
        "Oldest first. `after`: the first `limit` messages posted after that time (polling). "
        "`before`: the last `limit` messages posted before that time (the latest page: a "
        "time in the future; earlier pages: the first message shown)."
    ),
)
async def list_messages(
    workspace_id: uuid.UUID,
    tx: Tx,
    principal: CurrentPrincipal,
    after: Annotated[
        datetime | None, Query(description="Only messages posted after this time (ISO 8601)")
    ] = None,
    before: Annotated[
        datetime | None,
        Query(description="The last messages posted before this time (ISO 8601)"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=500, description="How many at most")] = 200,
) -> list[MessageOut]:
    if after is not None and before is not None:
        raise ValidationProblem.for_field("before", "cannot be given with after", location="query")
    workspace = await visible_workspace(tx, principal, workspace_id)
    messages = await service.list_messages(tx, workspace, after=after, before=before, limit=limit)
    return [MessageOut.model_validate(message) for message in messages]


@router.post(
    "/workspaces/{workspace_id}/messages",
    status_code=status.HTTP_201_CREATED,
    responses=WRITE,
    summary="Post a message; the other side hears of it (MessagePosted)",
)
async def post_message(
    workspace_id: uuid.UUID,
    body: MessageIn,
    request: Request,
    tx: Tx,
    principal: CurrentPrincipal,
) -> MessageOut:
    workspace = await visible_workspace(tx, principal, workspace_id)
    message = await service.post_message(
        tx, get_runtime(request).settings, workspace, body.body, principal
    )
    return MessageOut.model_validate(message)
