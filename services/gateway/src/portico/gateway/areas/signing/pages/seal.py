"""``/settings/seal`` (administrators): the seal completed documents carry, and uploading
the organisation's own certificate (PKCS#12) in its place."""

from __future__ import annotations

from typing import Annotated

from fastapi import File, Form, Request, UploadFile
from fastapi.responses import Response

from portico.gateway.apis.base import ApiProblem
from portico.gateway.areas.signing.api import Signing
from portico.gateway.pages.settings import settings_page
from portico.gateway.web.context import Admin
from portico.gateway.web.forms import FormState, form_from_problem
from portico.gateway.web.i18n import _
from portico.gateway.web.routing import page_router, see_other

router = page_router()

URL = "/settings/seal"
TAB = "seal"


async def _page(
    request: Request, signing: Signing, form: FormState | None = None, status_code: int = 200
) -> Response:
    return await settings_page(
        request,
        "signing/seal.html",
        TAB,
        status_code,
        seal=await signing.seal_key(),
        form=form or FormState(values={"file": "", "password": ""}),
    )


@router.get(URL)
async def seal_page(request: Request, _admin: Admin, signing: Signing) -> Response:
    return await _page(request, signing)


@router.post(URL)
async def upload_seal(
    request: Request,
    session: Admin,
    signing: Signing,
    file: Annotated[UploadFile | None, File()] = None,
    password: Annotated[str, Form()] = "",
) -> Response:
    values = {"file": "", "password": ""}
    if file is None or not file.filename:
        form = FormState(values=values, errors={"file": _("Choose the .p12 or .pfx file.")})
        return await _page(request, signing, form, 422)
    try:
        await signing.upload_seal_key(file.filename, await file.read(), password)
    except ApiProblem as problem:
        if problem.status not in {409, 413, 422}:
            raise
        return await _page(request, signing, form_from_problem(problem, values), problem.status)
    finally:
        await file.close()
    session.notify(_("The new seal is in use: documents completed from now on carry it."))
    return see_other(URL)
