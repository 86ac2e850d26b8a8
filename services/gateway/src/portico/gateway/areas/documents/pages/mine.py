"""The client portal's "My documents": what the organisation asks of the contact's client,
each type's state, and an upload form for those the client gives (with the type's data).
It is also the gate: while the section is required for access and a required document is
not accepted, the rest of the client portal leads here."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from starlette.datastructures import FormData, UploadFile

from portico.gateway.apis.base import ApiProblem
from portico.gateway.areas.documents.api import (
    ChecklistItem,
    DataField,
    Documents,
    DocumentsApi,
    DocumentType,
    MyDocuments,
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
    takes_photos,
)
from portico.gateway.areas.portal.api import Portal, PortalApi
from portico.gateway.areas.portal.pages.home import client_switch
from portico.gateway.web.context import ClientUser, PageNotFound, gateway_of, service_api
from portico.gateway.web.forms import FormState, field_message, megabytes
from portico.gateway.web.i18n import _, current_locale
from portico.gateway.web.routing import page_router, see_other
from portico.gateway.web.templating import render

router = page_router()

SECTION = "my-documents"
URL = "/portal/my-documents"


async def my_documents_of(request: Request) -> MyDocuments:
    """The contact's checklist, asked once per request: the gate, the menu and the page
    all read it."""
    cached: MyDocuments | None = getattr(request.state, "my_documents", None)
    if cached is None:
        cached = await service_api(DocumentsApi)(request).my_documents()
        request.state.my_documents = cached
    return cached


async def shown(request: Request) -> bool:
    """The menu entry: the section is shown and at least one type is asked of the client."""
    mine = await my_documents_of(request)
    return mine.shown and bool(mine.items)


async def gate(request: Request) -> str | None:
    """The rest of the client portal waits while a required document is not accepted."""
    mine = await my_documents_of(request)
    return URL if mine.shown and mine.access_blocked else None


def form_id(kind: DocumentType) -> str:
    return f"upload-{kind.id}"


def card_id(kind: DocumentType) -> str:
    return f"document-{kind.id}"


def field_name(field: DataField) -> str:
    """The input of a data field, named as the service names its refusals."""
    return f"data.{field.key}"


def upload_limit(request: Request, kind: DocumentType) -> int:
    """The type's size, within the gateway's own limit on any upload."""
    gateway_limit = gateway_of(request).settings.max_upload_mib * 1_048_576
    return min(kind.max_size_mib * 1_048_576, gateway_limit)


def _values_of(item: ChecklistItem) -> dict[str, Any]:
    """A replacement's form starts from the current document's data."""
    document = item.document
    if document is None:
        return {}
    return {
        f"data.{key}": "" if value is None else str(value) for key, value in document.data.items()
    }


async def _page(
    request: Request,
    portal: PortalApi,
    mine: MyDocuments,
    refused: Mapping[uuid.UUID, FormState] | None = None,
    status_code: int = 200,
) -> Response:
    refused = refused or {}
    forms = {
        item.document_type.id: refused.get(item.document_type.id)
        or FormState(values=_values_of(item))
        for item in mine.items
    }
    return await render(
        request,
        "documents/my_documents.html",
        status_code,
        section=SECTION,
        mine=mine,
        forms=forms,
        state_name=state_name,
        badges=BADGES,
        form_id=form_id,
        card_id=card_id,
        field_name=field_name,
        has_preview=has_preview,
        limits={i.document_type.id: upload_limit(request, i.document_type) for i in mine.items},
        megabytes=megabytes,
        formats_text=formats_text,
        accept_attribute=accept_attribute,
        takes_photos=takes_photos,
        **client_switch(await portal.client_account()),
    )


@router.get(URL)
async def my_documents_page(request: Request, _client: ClientUser, portal: Portal) -> Response:
    mine = await my_documents_of(request)
    if not mine.shown:
        raise PageNotFound
    return await _page(request, portal, mine)


def _type_id(form: FormData) -> uuid.UUID:
    try:
        return uuid.UUID(str(form.get("document_type_id") or ""))
    except ValueError:
        raise PageNotFound from None


@router.post(URL + "/upload")
async def upload_my_document(
    request: Request, session: ClientUser, documents: Documents, portal: Portal
) -> Response:
    """The upload form, posted by the browser or sent by ``upload.js`` (which asks for JSON
    and shows the upload's progress): back to the page with a toast, or the refusal beside
    the card's file or field."""
    wants_json = "application/json" in request.headers.get("accept", "")
    form = await request.form()
    mine = await my_documents_of(request)
    wanted = _type_id(form)
    item = next((i for i in mine.items if i.document_type.id == wanted), None)
    if not mine.shown or item is None or item.document_type.upload_mode == "admin_only":
        raise PageNotFound
    kind = item.document_type
    values = {field_name(f): str(form.get(field_name(f)) or "").strip() for f in kind.fields}
    state = FormState(values=values)
    file = form.get("file")
    if not isinstance(file, UploadFile) or not file.filename:
        state.errors["file"] = _("Choose the file to send.")
        return await _refused(request, portal, mine, kind, state, 422, wants_json)
    try:
        document = await documents.upload_my_document(
            Upload(
                document_type_id=kind.id,
                file_name=file.filename,
                content=await file.read(),
                content_type=file.content_type or "application/octet-stream",
                data={f.key: values[field_name(f)] for f in kind.fields if values[field_name(f)]},
            )
        )
    except ApiProblem as problem:
        if problem.status not in {413, 415, 422}:
            raise
        state = _refusal(problem, kind, values)
        return await _refused(request, portal, mine, kind, state, problem.status, wants_json)
    finally:
        await file.close()
    name = kind.name(current_locale())
    if document.state == "accepted":
        session.notify(_("%(name)s is saved. Thank you.") % {"name": name})
    else:
        session.notify(_("%(name)s is sent: we will review it shortly.") % {"name": name})
    url = f"{URL}#{card_id(kind)}"
    if wants_json:
        return JSONResponse({"redirect": url})
    return see_other(url)


def _refusal(problem: ApiProblem, kind: DocumentType, values: Mapping[str, str]) -> FormState:
    """The service's refusal beside the file or the field at fault, in the page's words
    (the service's are English), with the limit or the formats the type takes."""
    state = FormState(values=dict(values))
    unplaced: list[str] = []
    fields = {field_name(f): f for f in kind.fields}
    for error in problem.errors:
        name = str(error.get("field") or "")
        if name == "file":
            state.errors["file"] = file_refusal(problem.status, kind)
        elif name in fields:
            state.errors[name] = data_refusal(fields[name], values.get(name, ""), error)
        else:
            unplaced.append(field_message(error))
    if not problem.errors and problem.status in {413, 415}:
        state.errors["file"] = file_refusal(problem.status, kind)
    if unplaced or not state.errors:
        state.message = " ".join(unplaced) or _("This document could not be saved.")
    return state


async def _refused(
    request: Request,
    portal: PortalApi,
    mine: MyDocuments,
    kind: DocumentType,
    state: FormState,
    status_code: int,
    wants_json: bool,
) -> Response:
    if wants_json:
        return JSONResponse({"errors": state.errors, "message": state.message}, status_code)
    return await _page(request, portal, mine, {kind.id: state}, status_code)


def _file_response(content: bytes, content_type: str, headers: dict[str, str]) -> Response:
    return Response(content, media_type=content_type, headers=headers)


@router.get(URL + "/{document_id}/file")
async def my_document_file(
    _client: ClientUser, documents: Documents, document_id: uuid.UUID
) -> Response:
    try:
        found = await documents.my_document_file(document_id)
    except ApiProblem as problem:
        if problem.status == 404:
            raise PageNotFound from None
        raise
    return _file_response(
        found.content,
        found.content_type,
        {"Content-Disposition": found.disposition, "Cache-Control": "private, no-store"},
    )


@router.get(URL + "/{document_id}/preview")
async def my_document_preview(
    _client: ClientUser, documents: Documents, document_id: uuid.UUID
) -> Response:
    try:
        image = await documents.my_document_preview(document_id)
    except ApiProblem as problem:
        if problem.status == 404:
            raise PageNotFound from None
        raise
    # The address carries the upload's moment: a replacement is a new address.
    return _file_response(image, "image/webp", {"Cache-Control": "private, max-age=86400"})
