"""A workspace's page for staff: notes, links, files, tasks and messages with a client.

The client portal shows the same sections (``pages.client_portal``): both render the
partials of ``templates/portal/workspaces/`` with a ``WorkspaceView`` that says whose page it is
and what they may do, and share the handlers below that do not depend on the side.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, TypedDict

from fastapi import File, Form, Query, Request, UploadFile
from fastapi.responses import Response

from portico.gateway.apis.base import ApiProblem
from portico.gateway.areas.portal.api import Portal, PortalApi
from portico.gateway.areas.portal.models import (
    Item,
    Link,
    Message,
    Note,
    StaffUser,
    Task,
    Workspace,
    WorkspaceFile,
)
from portico.gateway.web.context import Staff, gateway_of
from portico.gateway.web.downloads import passed_on
from portico.gateway.web.forms import FormState, form_from_problem, too_large
from portico.gateway.web.i18n import _
from portico.gateway.web.routing import page_router, see_other
from portico.gateway.web.session import WebSession
from portico.gateway.web.templating import branding, render

router = page_router()

# The thread shows the latest messages; the portal answers oldest first, a page at a time.
THREAD_SHOWN = 50
SECTIONS = ("note", "link", "file", "task", "message")
# Problems a form shows beside its inputs; anything else is the error page.
FORM_PROBLEMS = frozenset({409, 413, 415, 422})
# A page asks for one section at a time: the forms the others show are empty.
PageRenderer = Callable[[int, Mapping[str, FormState]], Awaitable[Response]]


@dataclass
class WorkspaceView:
    """A workspace as one viewer sees it: the URLs of their side, what they may do."""

    id: str
    # Where this side's routes of the workspace are: /workspaces/<id> or /portal/...
    base: str
    staff: bool
    # The viewer: a staff user's id, or the client contact's id.
    me: str | None
    # The workspace as the portal answers it (none for the thread alone).
    workspace: Workspace | None = None
    # "staff:<id>" / "client:<id>" -> the person's name.
    names: dict[str, str] = field(default_factory=dict)
    # How a client sees the agency's people (whose names they are not given).
    team: str = ""
    # Staff only: the staff users, to assign tasks to.
    staff_users: list[StaffUser] = field(default_factory=list)
    # The largest file the portal takes, told before sending rather than after.
    upload_limit: int | None = None
    # Tasks due before this day are overdue.
    today: date = field(default_factory=date.today)

    @property
    def can_upload(self) -> bool:
        return self.staff or (self.workspace is not None and self.workspace.clients_can_upload)

    def person(self, kind: str | None, person_id: object) -> str:
        kind = "client" if kind == "contact" else kind
        name = self.names.get(f"{kind}:{person_id}")
        if name:
            return name
        return self.team if kind == "staff" else _("A contact")

    def can_tick(self, task: Task) -> bool:
        if self.staff:
            return True
        return task.assignee_kind == "contact" and task.assignee_id == self.me

    def is_mine(self, item: Item) -> bool:
        kind = "staff" if self.staff else "client"
        return item.author_kind == kind and item.author_id == self.me


class Thread(TypedDict):
    """The thread's last messages, oldest first, and whether earlier ones are left out."""

    messages: list[Message]
    earlier: bool


class Sections(Thread):
    """Everything a workspace's sections show."""

    notes: list[Note]
    links: list[Link]
    files: list[WorkspaceFile]
    tasks: list[Task]


def member_names(workspace: Workspace) -> dict[str, str]:
    return {f"client:{member.contact_id}": member.name for member in workspace.members}


def forms_with(forms: Mapping[str, FormState] | None = None) -> dict[str, FormState]:
    return {name: FormState() for name in SECTIONS} | dict(forms or {})


async def load_sections(portal: PortalApi, workspace_id: str) -> Sections:
    """Everything the sections show, in one call to the portal (five calls cost five
    times a call's own work: the route, the token, the transaction)."""
    contents = await portal.workspace_contents(workspace_id, messages=THREAD_SHOWN + 1)
    return Sections(
        notes=contents.notes,
        links=contents.links,
        files=contents.files,
        tasks=contents.tasks,
        **_thread(contents.messages),
    )


async def latest_messages(portal: PortalApi, workspace_id: str) -> Thread:
    """The thread's last messages, oldest first, and whether earlier ones are left out."""
    return _thread(await portal.latest_workspace_messages(workspace_id, limit=THREAD_SHOWN + 1))


def _thread(latest: list[Message]) -> Thread:
    """The thread as shown, from its last ``THREAD_SHOWN + 1`` messages (one more tells
    whether earlier ones are left out)."""
    return Thread(messages=latest[-THREAD_SHOWN:], earlier=len(latest) > THREAD_SHOWN)


def upload_limit_of(request: Request) -> int:
    return gateway_of(request).settings.max_upload_mib * 1_048_576


def problem_form(
    problem: ApiProblem,
    values: Mapping[str, Any],
    aliases: Mapping[str, str] | None = None,
    *,
    upload_limit: int | None = None,
) -> FormState:
    """The service's field errors beside the inputs, in words of ours where it says little."""
    if problem.status not in FORM_PROBLEMS:
        raise problem
    form = form_from_problem(
        problem, values, aliases={"assignee.id": "assignee", **(aliases or {})}
    )
    codes = {str(error.get("field")): str(error.get("code")) for error in problem.errors}
    # A long address is refused for its length: saying it lacks https:// would mislead.
    if "url" in form.errors and codes.get("url") != "string_too_long":
        form.errors["url"] = _("Enter an address starting with http:// or https://.")
    if "due_on" in form.errors:
        form.errors["due_on"] = _("Enter a valid date.")
    if "file" in form.errors:
        form.errors["file"] = {
            "file_too_large": too_large(upload_limit),
            "file_type": _(
                "This type of file is not accepted: send a PDF, an image (PNG, JPEG, GIF, "
                "WebP), a DOCX, XLSX, PPTX or ODT document, a text or CSV file or a ZIP archive."
            ),
        }.get(codes.get("file", ""), form.errors["file"])
    return form


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


# --- What both sides share ------------------------------------------------------------------


async def download(portal: PortalApi, workspace_id: str, file_id: str) -> Response:
    """The portal's download passed on as it arrives, with its type and file name."""
    return passed_on(await portal.open_workspace_file(workspace_id, file_id))


async def upload(
    request: Request,
    session: WebSession,
    portal: PortalApi,
    view: WorkspaceView,
    file: UploadFile | None,
    page: PageRenderer,
) -> Response:
    if file is None or not file.filename:
        form = FormState(errors={"file": _("Choose a file to send.")})
    else:
        try:
            await portal.upload_workspace_file(view.id, file.filename, file.file, file.content_type)
            form = None
        except ApiProblem as problem:
            form = problem_form(problem, {"file": ""}, upload_limit=view.upload_limit)
        finally:
            await file.close()
    if form is None:
        session.notify(_("The file is uploaded."))
    if not is_htmx(request):
        if form is not None:
            return await page(422, {"file": form})
        return see_other(f"{view.base}#files")
    files = await portal.workspace_files(view.id)
    return await render(
        request,
        "portal/workspaces/_files.html",
        422 if form else 200,
        view=view,
        files=files,
        forms=forms_with({"file": form or FormState()}),
    )


async def tick(
    request: Request,
    session: WebSession,
    portal: PortalApi,
    view: WorkspaceView,
    task_id: str,
    done: bool,
) -> Response:
    task = await portal.update_workspace_task(view.id, task_id, done=done)
    if not is_htmx(request):
        session.notify(_("The task is done.") if done else _("The task is open again."))
        return see_other(f"{view.base}#tasks")
    return await render(request, "portal/workspaces/_task_row.html", view=view, task=task)


async def post_message(
    request: Request,
    session: WebSession,
    portal: PortalApi,
    view: WorkspaceView,
    body: str,
    page: PageRenderer,
) -> Response:
    form = FormState()
    try:
        await portal.post_workspace_message(view.id, body)
    except ApiProblem as problem:
        form = problem_form(problem, {"body": body})
    if not is_htmx(request):
        if form.invalid:
            return await page(422, {"message": form})
        session.notify(_("Your message is sent."))
        return see_other(f"{view.base}#messages")
    return await render(
        request,
        "portal/workspaces/_messages.html",
        422 if form.invalid else 200,
        view=view,
        forms=forms_with({"message": form}),
        **await latest_messages(portal, view.id),
    )


async def thread(
    request: Request,
    portal: PortalApi,
    workspace_id: str,
    view_of: Callable[[], Awaitable[WorkspaceView]],
    after: str,
) -> Response:
    """The thread, polled: nothing (204, no swap) while no message came after ``after``."""
    if after:
        try:
            newer = await portal.workspace_messages(workspace_id, after=after, limit=1)
        except ApiProblem as problem:
            if problem.status != 422:
                raise
            newer = None  # not a time: answer the whole thread
        if newer == []:
            return Response(status_code=204)
    messages = await latest_messages(portal, workspace_id)
    return await render(request, "portal/workspaces/_thread.html", view=await view_of(), **messages)


# --- Staff ----------------------------------------------------------------------------------


async def staff_view(
    request: Request, session: WebSession, portal: PortalApi, workspace_id: uuid.UUID
) -> WorkspaceView:
    # The workspace first, alone: it refreshes the session's token if needed, once.
    workspace = await portal.workspace(str(workspace_id))
    staff = await portal.staff_users(include_inactive=True)
    names = member_names(workspace) | {f"staff:{user.id}": user.full_name for user in staff}
    organisation = await branding(request)
    return WorkspaceView(
        id=str(workspace_id),
        base=f"/workspaces/{workspace_id}",
        staff=True,
        me=session.subject,
        workspace=workspace,
        names=names,
        team=organisation.name or _("The team"),
        staff_users=staff,
        upload_limit=upload_limit_of(request),
    )


def assignee_options(view: WorkspaceView) -> list[tuple[str, str]]:
    options = [("", _("Nobody"))]
    members = view.workspace.members if view.workspace is not None else []
    options += [(f"contact:{member.contact_id}", member.name) for member in members]
    options += [(f"staff:{user.id}", user.full_name) for user in view.staff_users if user.active]
    return options


async def staff_page(
    request: Request,
    session: WebSession,
    portal: PortalApi,
    workspace_id: uuid.UUID,
    status_code: int = 200,
    forms: Mapping[str, FormState] | None = None,
) -> Response:
    view = await staff_view(request, session, portal, workspace_id)
    assert view.workspace is not None
    client, sections = await asyncio.gather(
        portal.client(view.workspace.client_id),
        load_sections(portal, view.id),
    )
    return await render(
        request,
        "portal/workspaces/staff.html",
        status_code,
        section="clients",
        # Each section's form posts elsewhere: a failed one shows the page's own address.
        page_url=view.base,
        view=view,
        client=client,
        assignees=assignee_options(view),
        forms=forms_with(forms),
        **sections,
    )


def _renderer(
    request: Request, session: WebSession, portal: PortalApi, workspace_id: uuid.UUID
) -> PageRenderer:
    async def page(status_code: int, forms: Mapping[str, FormState]) -> Response:
        return await staff_page(request, session, portal, workspace_id, status_code, forms)

    return page


@router.get("/workspaces/{workspace_id:uuid}")
async def workspace_page(
    request: Request, workspace_id: uuid.UUID, session: Staff, portal: Portal
) -> Response:
    return await staff_page(request, session, portal, workspace_id)


# Notes


@router.post("/workspaces/{workspace_id:uuid}/notes")
async def add_note(
    request: Request,
    workspace_id: uuid.UUID,
    session: Staff,
    portal: Portal,
    title: Annotated[str, Form()] = "",
    body_html: Annotated[str, Form()] = "",
) -> Response:
    try:
        await portal.add_workspace_note(str(workspace_id), title, body_html)
    except ApiProblem as problem:
        form = problem_form(problem, {"title": title, "body_html": body_html})
        return await staff_page(request, session, portal, workspace_id, 422, {"note": form})
    session.notify(_("The note is added."))
    return see_other(f"/workspaces/{workspace_id}#notes")


@router.get("/workspaces/{workspace_id:uuid}/notes/{note_id:uuid}/edit")
async def edit_note_page(
    request: Request, workspace_id: uuid.UUID, note_id: uuid.UUID, session: Staff, portal: Portal
) -> Response:
    view = await staff_view(request, session, portal, workspace_id)
    note = await portal.workspace_note(str(workspace_id), str(note_id))
    form = FormState(values={"title": note.title, "body_html": note.body_html})
    return await render(
        request,
        "portal/workspaces/note_edit.html",
        section="clients",
        view=view,
        note=note,
        form=form,
    )


@router.post("/workspaces/{workspace_id:uuid}/notes/{note_id:uuid}")
async def update_note(
    request: Request,
    workspace_id: uuid.UUID,
    note_id: uuid.UUID,
    session: Staff,
    portal: Portal,
    title: Annotated[str, Form()] = "",
    body_html: Annotated[str, Form()] = "",
) -> Response:
    try:
        await portal.update_workspace_note(
            str(workspace_id), str(note_id), title=title, body_html=body_html
        )
    except ApiProblem as problem:
        form = problem_form(problem, {"title": title, "body_html": body_html})
        view = await staff_view(request, session, portal, workspace_id)
        note = await portal.workspace_note(str(workspace_id), str(note_id))
        return await render(
            request,
            "portal/workspaces/note_edit.html",
            422,
            section="clients",
            page_url=f"/workspaces/{workspace_id}/notes/{note_id}/edit",
            view=view,
            note=note,
            form=form,
        )
    session.notify(_("The note is saved."))
    return see_other(f"/workspaces/{workspace_id}#notes")


@router.post("/workspaces/{workspace_id:uuid}/notes/{note_id:uuid}/delete")
async def delete_note(
    workspace_id: uuid.UUID, note_id: uuid.UUID, session: Staff, portal: Portal
) -> Response:
    await portal.delete_workspace_note(str(workspace_id), str(note_id))
    session.notify(_("The note is deleted."))
    return see_other(f"/workspaces/{workspace_id}#notes")


# Links


@router.post("/workspaces/{workspace_id:uuid}/links")
async def add_link(
    request: Request,
    workspace_id: uuid.UUID,
    session: Staff,
    portal: Portal,
    link_title: Annotated[str, Form()] = "",
    url: Annotated[str, Form()] = "",
) -> Response:
    try:
        await portal.add_workspace_link(str(workspace_id), link_title, url)
    except ApiProblem as problem:
        values = {"link_title": link_title, "url": url}
        form = problem_form(problem, values, {"title": "link_title"})
        return await staff_page(request, session, portal, workspace_id, 422, {"link": form})
    session.notify(_("The link is added."))
    return see_other(f"/workspaces/{workspace_id}#links")


@router.post("/workspaces/{workspace_id:uuid}/links/{link_id:uuid}/delete")
async def delete_link(
    workspace_id: uuid.UUID, link_id: uuid.UUID, session: Staff, portal: Portal
) -> Response:
    await portal.delete_workspace_link(str(workspace_id), str(link_id))
    session.notify(_("The link is deleted."))
    return see_other(f"/workspaces/{workspace_id}#links")


# Files


@router.post("/workspaces/{workspace_id:uuid}/files")
async def upload_file(
    request: Request,
    workspace_id: uuid.UUID,
    session: Staff,
    portal: Portal,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    view = await staff_view(request, session, portal, workspace_id)
    page = _renderer(request, session, portal, workspace_id)
    return await upload(request, session, portal, view, file, page)


@router.get("/workspaces/{workspace_id:uuid}/files/{file_id:uuid}/download")
async def download_file(
    workspace_id: uuid.UUID, file_id: uuid.UUID, _staff: Staff, portal: Portal
) -> Response:
    return await download(portal, str(workspace_id), str(file_id))


@router.post("/workspaces/{workspace_id:uuid}/files/{file_id:uuid}/delete")
async def delete_file(
    workspace_id: uuid.UUID, file_id: uuid.UUID, session: Staff, portal: Portal
) -> Response:
    await portal.delete_workspace_file(str(workspace_id), str(file_id))
    session.notify(_("The file is deleted."))
    return see_other(f"/workspaces/{workspace_id}#files")


# Tasks


def _assignee(value: str) -> dict[str, str] | None:
    kind, _sep, person_id = value.partition(":")
    if not value:
        return None
    if kind not in {"staff", "contact"} or not person_id:
        raise ValueError(value)
    return {"kind": kind, "id": person_id}


@router.post("/workspaces/{workspace_id:uuid}/tasks")
async def add_task(
    request: Request,
    workspace_id: uuid.UUID,
    session: Staff,
    portal: Portal,
    task_title: Annotated[str, Form()] = "",
    due_on: Annotated[str, Form()] = "",
    assignee: Annotated[str, Form()] = "",
) -> Response:
    values = {"task_title": task_title, "due_on": due_on, "assignee": assignee}
    try:
        await portal.add_workspace_task(
            str(workspace_id),
            title=task_title,
            due_on=due_on or None,
            assignee=_assignee(assignee),
        )
    except ValueError:
        form = FormState(values=values, errors={"assignee": _("Choose one of the options.")})
        return await staff_page(request, session, portal, workspace_id, 422, {"task": form})
    except ApiProblem as problem:
        form = problem_form(problem, values, {"title": "task_title"})
        return await staff_page(request, session, portal, workspace_id, 422, {"task": form})
    session.notify(_("The task is added."))
    return see_other(f"/workspaces/{workspace_id}#tasks")


@router.post("/workspaces/{workspace_id:uuid}/tasks/{task_id:uuid}/done")
async def tick_task(
    request: Request,
    workspace_id: uuid.UUID,
    task_id: uuid.UUID,
    session: Staff,
    portal: Portal,
    done: Annotated[bool, Form()] = True,
) -> Response:
    view = await staff_view(request, session, portal, workspace_id)
    return await tick(request, session, portal, view, str(task_id), done)


@router.post("/workspaces/{workspace_id:uuid}/tasks/{task_id:uuid}/delete")
async def delete_task(
    workspace_id: uuid.UUID, task_id: uuid.UUID, session: Staff, portal: Portal
) -> Response:
    await portal.delete_workspace_task(str(workspace_id), str(task_id))
    session.notify(_("The task is deleted."))
    return see_other(f"/workspaces/{workspace_id}#tasks")


# Messages


@router.get("/workspaces/{workspace_id:uuid}/messages")
async def messages_thread(
    request: Request,
    workspace_id: uuid.UUID,
    session: Staff,
    portal: Portal,
    after: Annotated[str, Query()] = "",
) -> Response:
    async def view_of() -> WorkspaceView:
        return WorkspaceView(
            id=str(workspace_id),
            base=f"/workspaces/{workspace_id}",
            staff=True,
            me=session.subject,
        )

    return await thread(request, portal, str(workspace_id), view_of, after)


@router.post("/workspaces/{workspace_id:uuid}/messages")
async def send_message(
    request: Request,
    workspace_id: uuid.UUID,
    session: Staff,
    portal: Portal,
    body: Annotated[str, Form()] = "",
) -> Response:
    view = await staff_view(request, session, portal, workspace_id)
    page = _renderer(request, session, portal, workspace_id)
    return await post_message(request, session, portal, view, body, page)
