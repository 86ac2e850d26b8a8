"""The organisation settings API: anyone reads them (the login page is branded); admins edit."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, File, Request, Response, UploadFile
from fastapi.responses import StreamingResponse

from portico.kit.auth import CurrentAdmin
from portico.kit.deps import Store, Tx, get_runtime
from portico.kit.problems import (
    FieldError,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationProblem,
    problem_responses,
)
from portico.portal.organisation import service
from portico.portal.organisation.logo import ACCEPTED, LogoRefused, normalised_logo
from portico.portal.organisation.schemas import OrganisationIn, OrganisationOut

router = APIRouter(prefix="/v1/organisation", tags=["organisation"])

MAX_LOGO_BYTES = 2 * 1024 * 1024


def _file_error(message: str, code: str) -> list[FieldError]:
    return [FieldError(field="file", location="body", message=message, code=code)]


@router.get("", summary="The organisation's name, colour, sender and logo (public)")
async def read_organisation(tx: Tx) -> OrganisationOut:
    return service.organisation_out(await service.get_organisation(tx))


@router.put(
    "",
    responses=problem_responses(401, 403, 422),
    summary="Change the organisation's settings (OrganisationUpdated)",
)
async def update_organisation(
    body: OrganisationIn, request: Request, tx: Tx, _: CurrentAdmin
) -> OrganisationOut:
    organisation = await service.update_organisation(tx, get_runtime(request).settings, body)
    return service.organisation_out(organisation)


@router.put(
    "/logo",
    responses=problem_responses(401, 403, 413, 415, 422),
    summary="Upload the logo: PNG, JPEG or WebP, at most 2 MiB and 4096 × 4096 pixels",
    description="The image is decoded and stored encoded again, without its metadata: a "
    "file that is not such an image (whatever its declared type), or is truncated, is "
    "refused with 422 and the logo in place is kept.",
)
async def upload_logo(
    file: Annotated[UploadFile, File(description="The logo image")],
    request: Request,
    tx: Tx,
    store: Store,
    _: CurrentAdmin,
) -> OrganisationOut:
    if file.content_type not in service.LOGO_TYPES:
        raise UnsupportedMediaType(f"file: {ACCEPTED}.", errors=_file_error(ACCEPTED, "file_type"))
    content = await file.read(MAX_LOGO_BYTES + 1)
    if len(content) > MAX_LOGO_BYTES:
        message = "must be at most 2 MiB"
        raise PayloadTooLarge(f"file: {message}.", errors=_file_error(message, "file_too_large"))
    try:
        # Decoding takes tens of milliseconds for a large image: off the event loop.
        logo = await asyncio.to_thread(normalised_logo, content)
    except LogoRefused as refused:
        raise ValidationProblem.for_field("file", refused.message, code=refused.code) from None
    key = f"organisation/logo.{logo.extension}"
    await store.put(key, logo.content, content_type=logo.content_type)
    organisation = await service.organisation_to_change(tx)
    organisation.logo_key, organisation.logo_content_type = key, logo.content_type
    await service.organisation_changed(tx, get_runtime(request).settings, organisation)
    return service.organisation_out(organisation)


@router.get("/logo", responses=problem_responses(404), summary="The logo image (public)")
async def read_logo(tx: Tx, store: Store) -> Response:
    organisation = await service.get_organisation(tx)
    if organisation.logo_key is None:
        raise NotFound("The organisation has no logo.")
    return StreamingResponse(
        store.stream(organisation.logo_key),
        media_type=organisation.logo_content_type or "application/octet-stream",
        # Never taken for anything but the image it is declared as (a logo stored before
        # contents were checked may be something else).
        headers={"Cache-Control": "public, max-age=300", "X-Content-Type-Options": "nosniff"},
    )
