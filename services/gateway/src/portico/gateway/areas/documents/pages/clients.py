"""A client's documents, for staff: every document type asked of the client with its state,
the document given for it (its file, preview, data), and what staff do with it (upload or
replace, change its data, accept, reject with the reason the client reads, delete); and
the card of the client's page that sums them up.

Every action posts to a route under ``/clients/{client_id}/documents`` and comes back to
the page with a toast; what the documents service refuses is shown beside the input at
fault, in the page's language.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from starlette.datastructures import UploadFile

from portico.gateway.apis.base import ApiProblem
from portico.gateway.areas.documents.api import (
    Checklist,
    ChecklistItem,
    Documents,
    DocumentsApi,
    DocumentType,
    FileContent,
    Upload,
)
from portico.gateway.areas.documents.presenting import (
    BADGES,
    accept_attribute,
    data_refusal,
    file_refusal,
    formats_text,
    has_preview,
    state_name,
)
from portico.gateway.areas.portal.api import Portal, PortalApi
from portico.gateway.web.context import PageNotFound, Staff
from portico.gateway.web.forms import (
    FormState,
    field_message,
    form_from_problem,
    megabytes,
    raise_unless_invalid_input,
    too_large,
)
from portico.gateway.web.i18n import N_, _, current_locale, format_number
from portico.gateway.web.routing import page_router, see_other
from portico.gateway.web.templating import render

router = page_router()

MIB = 1024 * 1024
# The card of the client's page lists at most this many types.
PANEL_SIZE = 5
UPLOADERS = {"contact": N_("client"), "staff": N_("staff"), "api_key": N_("integration")}
# Shown instead of a preview the service could not render (an <img> needs an image).
FILE_ICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" width="96" height="96">'
    '<path fill="#9ca3af" d="M6 2h8l6 6v12a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2Zm7 '
    '1.5V9h5.5L13 3.5Z"/></svg>'
)


@dataclass
class Forms:
    """The one form of the page shown again after a refusal: its type, which form it is
    (``upload``, ``data`` or ``reject``) and what was typed; the others are blank."""

    type_id: uuid.UUID | None = None
    name: str = ""
    form: FormState = field(default_factory=FormState)

    def of(self, type_id: uuid.UUID, name: str) -> FormState:
        if self.type_id == type_id and self.name == name:
            return self.form
        return FormState()


# --- The page and the card ------------------------------------------------------------------


@router.get("/clients/{client_id}/documents")
async def client_documents_page(
    request: Request, _staff: Staff, portal: Portal, documents: Documents, client_id: str
) -> Response:
    return await _page(request, portal, documents, _id(client_id))


async def _page(
    request: Request,
    portal: PortalApi,
    documents: DocumentsApi,
    client_id: uuid.UUID,
    status_code: int = 200,
    forms: Forms | None = None,
) -> Response:
    client = await portal.client(str(client_id))
    checklist = await _checklist(documents, client_id)
    return await render(
        request,
        "documents/client_documents.html",
        status_code,
        section="clients",
        page_url=f"/clients/{client_id}/documents",
        client=client,
        checklist=checklist,
        items=checklist.items if checklist else [],
        required=_required_count(checklist),
        forms=forms or Forms(),
        state_name=state_name,
        badges=BADGES,
        uploaders=UPLOADERS,
        accept=accept_attribute,
        formats=formats_text,
        size=_size,
        has_preview=has_preview,
        data_form_of=_data_form,
        max_bytes=lambda kind: kind.max_size_mib * MIB,
        too_large=lambda kind: too_large(kind.max_size_mib * MIB),
    )


@router.get("/clients/{client_id}/documents/panel")
async def client_panel(
    request: Request, _staff: Staff, documents: Documents, client_id: str
) -> Response:
    """The card of the client's page: complete or how many are outstanding, and the first
    few types (those waiting for staff, then those outstanding, first)."""
    wanted = _id(client_id)
    checklist = await _checklist(documents, wanted)
    items = checklist.items if checklist else []
    outstanding = set(checklist.outstanding) if checklist else set()
    shown = sorted(
        items,
        key=lambda item: (
            0 if item.state == "in_review" else 1 if item.document_type.id in outstanding else 2
        ),
    )[:PANEL_SIZE]
    return await render(
        request,
        "documents/client_panel.html",
        client_id=wanted,
        checklist=checklist,
        items=shown,
        total=len(items),
        required=_required_count(checklist),
        state_name=state_name,
        badges=BADGES,
    )


async def _checklist(documents: DocumentsApi, client_id: uuid.UUID) -> Checklist | None:
    """The client's checklist, or None while the documents service does not know the
    client (it learns of a new one from the portal's event, a moment later)."""
    try:
        return await documents.client_documents(client_id)
    except ApiProblem as problem:
        if problem.status != 404:
            raise
        return None


# --- Files ----------------------------------------------------------------------------------


@router.get("/clients/{client_id}/documents/{document_id}/file")
async def download_document(
    _staff: Staff, documents: Documents, client_id: str, document_id: str
) -> Response:
    found = await documents.document_file(_id(client_id), _id(document_id))
    return _file_response(found, found.disposition)


@router.get("/clients/{client_id}/documents/{document_id}/view")
async def view_document(
    _staff: Staff, documents: Documents, client_id: str, document_id: str
) -> Response:
    """The file opened in the browser's tab (a PDF, an image) rather than saved."""
    found = await documents.document_file(_id(client_id), _id(document_id))
    disposition = found.disposition
    if disposition.startswith("attachment"):
        disposition = "inline" + disposition.removeprefix("attachment")
    return _file_response(found, disposition)


def _file_response(found: FileContent, disposition: str) -> Response:
    return Response(
        found.content,
        media_type=found.content_type,
        headers={
            "content-disposition": disposition,
            "x-content-type-options": "nosniff",
            "cache-control": "private, no-store",
        },
    )


@router.get("/clients/{client_id}/documents/{document_id}/preview")
async def preview_document(
    _staff: Staff, documents: Documents, client_id: str, document_id: str
) -> Response:
    """The service's WebP preview; a file icon for a file it cannot render."""
    try:
        image = await documents.document_preview(_id(client_id), _id(document_id))
    except ApiProblem as problem:
        if problem.status != 404:
            raise
        return Response(
            FILE_ICON,
            media_type="image/svg+xml",
            headers={"cache-control": "private, no-cache"},
        )
    # The page's address carries the upload's moment: a replacement is a new address, so the
    # browser keeps this one rather than have the service render it on every visit.
    return Response(
        image, media_type="image/webp", headers={"cache-control": "private, max-age=86400"}
    )


# --- Upload or replace ----------------------------------------------------------------------


@router.post("/clients/{client_id}/documents")
async def upload_document(
    request: Request, session: Staff, portal: Portal, documents: Documents, client_id: str
) -> Response:
    """A document given by staff: any type asked of the client, admin-only ones too;
    accepted as it comes (staff vouch for what they give)."""
    wanted = _id(client_id)
    posted = await request.form()
    item = _item_of_type(await _checklist(documents, wanted), _text(posted.get("document_type_id")))
    kind = item.document_type
    data = _posted_data(kind, posted)
    values: dict[str, Any] = {"file": "", **{f"data.{key}": value for key, value in data.items()}}
    file = posted.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        form = FormState(values=values, errors={"file": _("Choose a file to upload.")})
        return await _page(request, portal, documents, wanted, 422, Forms(kind.id, "upload", form))
    try:
        await documents.add_document(
            wanted,
            Upload(
                document_type_id=kind.id,
                file_name=file.filename,
                content=await file.read(),
                content_type=file.content_type or "application/octet-stream",
                data={key: value for key, value in data.items() if value},
            ),
        )
    except ApiProblem as problem:
        raise_unless_invalid_input(problem)
        form = _refused(problem, values, kind)
        return await _page(request, portal, documents, wanted, 422, Forms(kind.id, "upload", form))
    finally:
        await file.close()
    name = kind.name(current_locale())
    if item.document is None:
        session.notify(_("%(name)s is uploaded and accepted.") % {"name": name})
    else:
        session.notify(_("%(name)s is replaced; the new file is accepted.") % {"name": name})
    return see_other(_anchor(wanted, kind.id))


# --- A document's data and review ---------------------------------------------------------


@router.post("/clients/{client_id}/documents/{document_id}/data")
async def change_data(
    request: Request,
    session: Staff,
    portal: Portal,
    documents: Documents,
    client_id: str,
    document_id: str,
) -> Response:
    wanted, document = _id(client_id), _id(document_id)
    item = _item_of_document(await _checklist(documents, wanted), document)
    kind = item.document_type
    data = _posted_data(kind, await request.form())
    values = {f"data.{key}": value for key, value in data.items()}
    try:
        await documents.change_data(
            wanted, document, {key: value for key, value in data.items() if value}
        )
    except ApiProblem as problem:
        raise_unless_invalid_input(problem)
        form = _refused(problem, values, kind)
        return await _page(request, portal, documents, wanted, 422, Forms(kind.id, "data", form))
    session.notify(_("The data of %(name)s is saved.") % {"name": kind.name(current_locale())})
    return see_other(_anchor(wanted, kind.id))


@router.post("/clients/{client_id}/documents/{document_id}/accept")
async def accept_document(
    session: Staff, documents: Documents, client_id: str, document_id: str
) -> Response:
    wanted, document = _id(client_id), _id(document_id)
    item = _item_of_document(await _checklist(documents, wanted), document)
    await documents.review(wanted, document, "accepted", None)
    name = item.document_type.name(current_locale())
    session.notify(_("%(name)s is accepted.") % {"name": name})
    return see_other(_anchor(wanted, item.document_type.id))


@router.post("/clients/{client_id}/documents/{document_id}/reject")
async def reject_document(
    request: Request,
    session: Staff,
    portal: Portal,
    documents: Documents,
    client_id: str,
    document_id: str,
) -> Response:
    wanted, document = _id(client_id), _id(document_id)
    item = _item_of_document(await _checklist(documents, wanted), document)
    kind = item.document_type
    reason = _text((await request.form()).get("reason"))
    try:
        await documents.review(wanted, document, "rejected", reason or None)
    except ApiProblem as problem:
        raise_unless_invalid_input(problem)
        form = _refused(problem, {"reason": reason}, kind)
        return await _page(request, portal, documents, wanted, 422, Forms(kind.id, "reject", form))
    session.notify(
        _("%(name)s is rejected; the client is told why.") % {"name": kind.name(current_locale())}
    )
    return see_other(_anchor(wanted, kind.id))


@router.post("/clients/{client_id}/documents/{document_id}/delete")
async def delete_document(
    session: Staff, documents: Documents, client_id: str, document_id: str
) -> Response:
    wanted, document = _id(client_id), _id(document_id)
    item = _item_of_document(await _checklist(documents, wanted), document)
    await documents.delete_document(wanted, document)
    session.notify(
        _("The document %(name)s is deleted.") % {"name": item.document_type.name(current_locale())}
    )
    return see_other(_anchor(wanted, item.document_type.id))


# --- Refusals in the page's language ------------------------------------------------------


def _refused(problem: ApiProblem, values: Mapping[str, Any], kind: DocumentType) -> FormState:
    """The form again with the service's refusals beside their inputs, in our words."""
    form = form_from_problem(problem, values)
    form.errors = {}
    unplaced: list[str] = []
    for error in problem.errors:
        name = str(error.get("field") or "")
        message = _refusal(error, kind, values)
        if name in values:
            form.errors.setdefault(name, message)
        else:
            unplaced.append(message)
    if unplaced:
        form.message = " ".join(unplaced)
    return form


def _refusal(error: Mapping[str, Any], kind: DocumentType, values: Mapping[str, Any]) -> str:
    name = str(error.get("field") or "")
    code = str(error.get("code") or "")
    if code == "file_too_large":
        return file_refusal(413, kind)
    if code == "file_type":
        return file_refusal(415, kind)
    if name == "reason" and code == "required":
        return _("Say why it is rejected: the client reads the reason to send a better one.")
    if code == "admin_only":
        return _("Only staff upload this document.")
    if code in {"not_asked", "unknown_type"}:
        return _("This document is not asked of this client.")
    if name.startswith("data."):
        data_field = next((f for f in kind.fields if f"data.{f.key}" == name), None)
        if data_field is None:
            return _("This document type asks for no such data.")
        return data_refusal(data_field, str(values.get(name) or "").strip(), error)
    return field_message(error)


# --- Small helpers --------------------------------------------------------------------------


def _id(value: str) -> uuid.UUID:
    """A path's id, or the 404 page: an id that is not one names nothing."""
    try:
        return uuid.UUID(value)
    except ValueError:
        raise PageNotFound from None


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _anchor(client_id: uuid.UUID, type_id: uuid.UUID) -> str:
    return f"/clients/{client_id}/documents#type-{type_id}"


def _item_of_type(checklist: Checklist | None, type_id: str) -> ChecklistItem:
    for item in checklist.items if checklist else []:
        if str(item.document_type.id) == type_id:
            return item
    raise PageNotFound


def _item_of_document(checklist: Checklist | None, document_id: uuid.UUID) -> ChecklistItem:
    for item in checklist.items if checklist else []:
        if item.document is not None and item.document.id == document_id:
            return item
    raise PageNotFound


def _posted_data(kind: DocumentType, posted: Mapping[str, Any]) -> dict[str, str]:
    """The type's fields as typed (``data.<key>`` inputs), blanks kept for the form."""
    return {item.key: _text(posted.get(f"data.{item.key}")) for item in kind.fields}


def _data_form(item: ChecklistItem) -> FormState:
    """The edit form filled with the document's data."""
    data = item.document.data if item.document else {}
    keys = [data_field.key for data_field in item.document_type.fields]
    return FormState(
        values={f"data.{key}": "" if data.get(key) is None else str(data[key]) for key in keys}
    )


def _required_count(checklist: Checklist | None) -> int:
    if checklist is None:
        return 0
    return sum(1 for item in checklist.items if item.document_type.upload_mode == "required")


def _size(size_bytes: int) -> str:
    if size_bytes >= MIB:
        return megabytes(size_bytes)
    if size_bytes >= 1024:
        return _("%(size)s KB") % {"size": format_number(round(size_bytes / 1024))}
    return _("%(size)s bytes") % {"size": format_number(size_bytes)}
