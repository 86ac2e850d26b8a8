"""The templates API: staff, and internal systems with a ``signing:*`` API key."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Mapping
from pathlib import PurePath
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, Path, Query, Response, UploadFile, status

from portico.kit.auth import Principal
from portico.kit.auth.principals import require_scope
from portico.kit.deps import Store, Tx
from portico.kit.pagination import Page, Paging
from portico.kit.problems import NotFound, ValidationProblem, problem_responses
from portico.pdf import DocumentRefused, IngestedDocument, blank_pages
from portico.signing.fields.prefill import SAMPLE_CLIENT, SAMPLE_CONTACT, resolve
from portico.signing.models import ClientReplica, Template
from portico.signing.replicas import prefill_sources
from portico.signing.settings import Settings
from portico.signing.templates import service
from portico.signing.templates.documents import (
    document_key,
    enqueue_previews,
    ingest_upload,
    pdf_key,
    preview_key,
    store_document,
)
from portico.signing.templates.imports import imported_fields
from portico.signing.templates.refusals import refusal_problem
from portico.signing.templates.schemas import (
    BlankTemplateIn,
    FieldsIn,
    TemplateOut,
    TemplatePatch,
    TemplateSummary,
)
from portico.signing.templates.views import template_out, template_summary

router = APIRouter(prefix="/v1/templates", tags=["templates"])
# Beside /v1/templates/{template_id}, whose methods a fixed word there would shadow.
blank_router = APIRouter(prefix="/v1/blank-templates", tags=["templates"])

Reader = Annotated[Principal, Depends(require_scope("signing:read"))]
Writer = Annotated[Principal, Depends(require_scope("signing:write"))]


CONTENT_TYPES = {
    "pdf": "application/pdf",
    "jpeg": "image/jpeg",
    "png": "image/png",
    "tiff": "image/tiff",
    "webp": "image/webp",
    "heic": "image/heic",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "doc": "application/msword",
    "odt": "application/vnd.oasis.opendocument.text",
    "rtf": "application/rtf",
    "csv": "text/csv",
    "text": "text/plain",
}


async def _create(
    tx: Tx,
    store: Store,
    principal: Principal,
    *,
    name: str,
    original: bytes,
    original_name: str | None,
    prepared: IngestedDocument,
) -> TemplateOut:
    key = document_key(original)
    kind = prepared.document.source_kind
    content_type = CONTENT_TYPES.get(kind, "application/octet-stream")
    await store_document(store, key, original, content_type, prepared)
    imported, roles = imported_fields(prepared.form_fields, prepared.tags)
    template = await service.create_template(
        tx,
        name=name,
        source_kind=kind if original_name is not None else "blank",
        document_key=key,
        original_name=original_name,
        page_sizes=[list(size) for size in prepared.document.page_sizes],
        previews_ready=1,
        imported=imported,
        roles=roles,
        created_by=principal.user_id,
    )
    await enqueue_previews(tx, template)
    return template_out(await service.get_template(tx, template.id))


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 413, 415, 422),
    summary="A new template from a document: PDF, image, Word, OpenDocument, RTF or CSV",
    description="The file's type is read from its content. Form fields of a PDF and text "
    "tags such as {{signature;role=Client}} become the template's fields.",
)
async def upload_template(
    file: Annotated[UploadFile, File(description="The document")],
    tx: Tx,
    store: Store,
    principal: Writer,
    settings: Settings,
    name: Annotated[
        str | None, Form(max_length=200, description="The template's name; else the file's")
    ] = None,
) -> TemplateOut:
    original = await file.read(settings.max_upload_mib * 1024 * 1024 + 1)
    try:
        prepared = await asyncio.to_thread(ingest_upload, original, settings)
    except DocumentRefused as refusal:
        raise refusal_problem(refusal, settings) from None
    file_name = PurePath(file.filename or "").name[:300] or None
    title = (name or "").strip() or PurePath(file_name or "").stem[:200].strip() or "Untitled"
    return await _create(
        tx,
        store,
        principal,
        name=title,
        original=original,
        original_name=file_name,
        prepared=prepared,
    )


@blank_router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 422),
    summary="A new template of blank pages (A4 or Letter), to make a form",
)
async def blank_template(
    body: BlankTemplateIn, tx: Tx, store: Store, principal: Writer, settings: Settings
) -> TemplateOut:
    pdf = blank_pages(body.pages, body.size, body.titles)
    prepared = await asyncio.to_thread(ingest_upload, pdf, settings)
    return await _create(
        tx, store, principal, name=body.name, original=pdf, original_name=None, prepared=prepared
    )


@router.get("", responses=problem_responses(401, 403, 422), summary="List templates")
async def list_templates(
    tx: Tx,
    _: Reader,
    page: Paging,
    q: Annotated[str | None, Query(max_length=200, description="Words of the name")] = None,
    archived: Annotated[bool, Query(description="The archived ones instead")] = False,
) -> Page[TemplateSummary]:
    templates, total = await service.list_templates(tx, page, q=q, archived=archived)
    return Page.of([template_summary(template) for template in templates], total, page)


@router.get("/{template_id}", responses=problem_responses(401, 403, 404), summary="A template")
async def get_template(template_id: uuid.UUID, tx: Tx, _: Reader) -> TemplateOut:
    return template_out(await service.get_template(tx, template_id))


@router.patch(
    "/{template_id}",
    responses=problem_responses(401, 403, 404, 422),
    summary="Rename it, set its roles and signing order, or its automatic assignment",
)
async def update_template(
    template_id: uuid.UUID, body: TemplatePatch, tx: Tx, _: Writer
) -> TemplateOut:
    template = await service.get_template(tx, template_id)
    await service.update_template(tx, template, body)
    return template_out(template)


@router.put(
    "/{template_id}/fields",
    responses=problem_responses(401, 403, 404, 422),
    summary="Save the template's fields (the whole set, as the editor holds it)",
)
async def save_fields(template_id: uuid.UUID, body: FieldsIn, tx: Tx, _: Writer) -> TemplateOut:
    template = await service.get_template(tx, template_id)
    await service.save_fields(tx, template, body.fields)
    return template_out(template)


@router.post(
    "/{template_id}/duplicate",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 404),
    summary="A copy of the template with all its fields",
)
async def duplicate_template(template_id: uuid.UUID, tx: Tx, principal: Writer) -> TemplateOut:
    template = await service.get_template(tx, template_id)
    copy = await service.duplicate_template(
        tx, template, principal.user_id, name=_copy_name(template)
    )
    return template_out(await service.get_template(tx, copy.id))


def _copy_name(template: Template) -> str:
    return f"{template.name} (copy)"[:200]


@router.post(
    "/{template_id}/archive",
    responses=problem_responses(401, 403, 404),
    summary="Archive it: out of the list, no longer sent automatically",
)
async def archive_template(template_id: uuid.UUID, tx: Tx, _: Writer) -> TemplateOut:
    template = await service.get_template(tx, template_id)
    service.archive(template, archived=True)
    return template_out(template)


@router.post(
    "/{template_id}/restore", responses=problem_responses(401, 403, 404), summary="Unarchive it"
)
async def restore_template(template_id: uuid.UUID, tx: Tx, _: Writer) -> TemplateOut:
    template = await service.get_template(tx, template_id)
    service.archive(template, archived=False)
    return template_out(template)


@router.delete(
    "/{template_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404),
    summary="Delete the template; its files go once no other template uses them",
)
async def delete_template(template_id: uuid.UUID, tx: Tx, _: Writer) -> Response:
    await service.delete_template(tx, await service.get_template(tx, template_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# A template's document never changes: its previews and PDF may be kept as long as wanted.
IMMUTABLE = {"Cache-Control": "private, max-age=31536000, immutable"}


@router.get(
    "/{template_id}/pages/{index}/preview",
    responses={
        200: {"content": {"image/webp": {}}, "description": "The page as a WebP image"},
        **problem_responses(401, 403, 404, 422),
    },
    response_class=Response,
    summary="A page's preview (404 until it is rendered: see the template's previews_ready)",
)
async def page_preview(
    template_id: uuid.UUID,
    index: Annotated[int, Path(ge=0, le=100_000, description="0 for the first page")],
    width: Annotated[
        int, Query(ge=1, le=10_000, description="One of the preview widths, in pixels")
    ],
    tx: Tx,
    store: Store,
    _: Reader,
    settings: Settings,
) -> Response:
    template = await service.get_template(tx, template_id)
    if width not in settings.preview_widths:
        widths = ", ".join(str(w) for w in settings.preview_widths)
        raise ValidationProblem.for_field("width", f"must be one of {widths}", location="query")
    if index >= template.page_count:
        raise NotFound(f"The document has {template.page_count} page(s).")
    if index >= template.previews_ready:
        raise NotFound("This page's preview is not ready yet.", headers={"Retry-After": "2"})
    image = await store.read(preview_key(template.document_key, index, width))
    return Response(image, media_type="image/webp", headers=IMMUTABLE)


@router.get(
    "/{template_id}/document",
    responses={
        200: {"content": {"application/pdf": {}}, "description": "The template's PDF"},
        **problem_responses(401, 403, 404),
    },
    response_class=Response,
    summary="The template's document as a PDF (form fields as imported, tags hidden)",
)
async def template_document(template_id: uuid.UUID, tx: Tx, store: Store, _: Reader) -> Response:
    template = await service.get_template(tx, template_id)
    pdf = await store.read(pdf_key(template.document_key))
    return Response(pdf, media_type="application/pdf", headers=IMMUTABLE)


@router.get(
    "/{template_id}/prefills",
    responses=problem_responses(401, 403, 404, 422),
    summary="Each prefilled field's value for a client and contact, or for sample ones",
    description="Without client_id, sample values: what the editor's preview shows. A client "
    "the service has not heard of (yet) gives empty values.",
)
async def prefills(
    template_id: uuid.UUID,
    tx: Tx,
    _: Reader,
    client_id: Annotated[uuid.UUID | None, Query(description="A client of the portal")] = None,
    contact_id: Annotated[uuid.UUID | None, Query(description="One of its contacts")] = None,
) -> dict[str, str]:
    template = await service.get_template(tx, template_id)
    client: Mapping[str, Any] | None
    contact: Mapping[str, Any] | None
    if client_id is None:
        client, contact = SAMPLE_CLIENT, SAMPLE_CONTACT
    else:
        client, contact = prefill_sources(await tx.get(ClientReplica, client_id), contact_id)
    return {
        spec.name: resolve(spec.prefill, client, contact)
        for spec in service.specs_of(template)
        if spec.prefill
    }
