"""The public page where anyone checks a completed document: the link and QR code printed
on every completion certificate lead here. The PDF goes to the signing service, which says
whether Portico completed it and whether it changed since, and by whom it was signed."""

from __future__ import annotations

from typing import Annotated

from fastapi import File, Request, UploadFile
from fastapi.responses import Response

from portico.gateway.apis.base import ApiProblem
from portico.gateway.areas.signing.api import Signing
from portico.gateway.areas.signing.pages.templates import upload_limit
from portico.gateway.web.forms import FormState, form_from_problem, megabytes
from portico.gateway.web.i18n import _
from portico.gateway.web.routing import page_router
from portico.gateway.web.templating import render

router = page_router()

URL = "/verify"
# The API behind it, reached through the gateway: anyone may post a file to both.
PUBLIC_UPLOADS = (URL, "/api/signing/v1/verify")


async def _page(
    request: Request, status_code: int = 200, form: FormState | None = None, **context: object
) -> Response:
    limit = upload_limit(request)
    return await render(
        request,
        "signing/verify.html",
        status_code,
        form=form or FormState(),
        upload_limit=limit,
        limit_text=megabytes(limit),
        **context,
    )


@router.get(URL)
async def verify_page(request: Request) -> Response:
    return await _page(request)


@router.post(URL)
async def verify(
    request: Request, signing: Signing, file: Annotated[UploadFile | None, File()] = None
) -> Response:
    if file is None or not file.filename:
        form = FormState(values={"file": ""}, errors={"file": _("Choose the PDF to check.")})
        return await _page(request, 422, form)
    try:
        found = await signing.verify(file.filename, await file.read())
    except ApiProblem as problem:
        if problem.status not in {413, 415, 422}:
            raise
        return await _page(request, problem.status, form_from_problem(problem, {"file": ""}))
    finally:
        await file.close()
    return await _page(request, result=found, filename=file.filename)
