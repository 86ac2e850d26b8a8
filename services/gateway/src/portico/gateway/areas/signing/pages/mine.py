"""The client portal's "Documents to sign": what is addressed to the contact logged in, to
sign now (a fresh signing link each time they open one) or completed, to download. The
menu entry exists only when at least one document is addressed to them."""

from __future__ import annotations

import uuid

from fastapi import Request
from fastapi.responses import Response

from portico.gateway.apis.base import ApiProblem
from portico.gateway.areas.portal.api import Portal
from portico.gateway.areas.portal.pages.home import client_switch
from portico.gateway.areas.signing.api import Signing, SigningApi
from portico.gateway.areas.signing.pages.downloads import pdf_attachment
from portico.gateway.areas.signing.pages.submissions import BADGES, STATUSES
from portico.gateway.web.context import ClientUser, PageNotFound, service_api
from portico.gateway.web.i18n import _
from portico.gateway.web.routing import page_router, see_other
from portico.gateway.web.templating import render

router = page_router()

SECTION = "documents-to-sign"
URL = "/portal/documents"


async def has_documents(request: Request) -> bool:
    """Whether the client portal shows "Documents to sign" to the person on the page."""
    return bool(await service_api(SigningApi)(request).my_documents())


def _id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except ValueError:
        raise PageNotFound from None


@router.get(URL)
async def documents_page(
    request: Request, _client: ClientUser, signing: Signing, portal: Portal
) -> Response:
    documents = await signing.my_documents()
    return await render(
        request,
        "signing/my_documents.html",
        section=SECTION,
        to_sign=[d for d in documents if d.to_sign],
        others=[d for d in documents if not d.to_sign],
        statuses=STATUSES,
        badges=BADGES,
        **client_switch(await portal.client_account()),
    )


@router.post(URL + "/{submission_id}/sign")
async def open_to_sign(client: ClientUser, signing: Signing, submission_id: str) -> Response:
    """A new link for the signing page: the portal's session proves who they are."""
    try:
        token = await signing.my_signing_token(_id(submission_id))
    except ApiProblem as problem:
        if problem.status == 404:
            raise PageNotFound from None
        if problem.status != 409:
            raise
        client.notify(_("This document can no longer be signed."), "error")
        return see_other(URL)
    return see_other(f"/sign/{token}")


@router.get(URL + "/{submission_id}/completed.pdf")
async def completed_document(_client: ClientUser, signing: Signing, submission_id: str) -> Response:
    wanted = _id(submission_id)
    try:
        content = await signing.my_completed_document(wanted)
    except ApiProblem as problem:
        if problem.status == 404:
            raise PageNotFound from None
        raise
    names = {d.submission_id: d.document_name for d in await signing.my_documents()}
    return pdf_attachment(content, names.get(wanted, "document"))
