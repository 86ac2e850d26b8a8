"""A client's personal data, for admins (GDPR): exporting everything Portico holds about
the client (docs/exports.md), and erasing it from every service (docs/erasure.md).

The client's page includes the section (``portal/clients/_privacy.html``) and loads the
list of exports from ``/clients/{id}/privacy`` with htmx; without script, that address is
a page of its own, and it is where a refused erasure is shown again.
"""

from __future__ import annotations

import unicodedata
import uuid
from typing import Annotated
from urllib.parse import unquote

import httpx
from fastapi import Form, Request
from fastapi.responses import Response
from pydantic import BaseModel

from portico.gateway.areas.portal.api import ClientExport, Portal, PortalApi
from portico.gateway.web.context import Admin, PageNotFound
from portico.gateway.web.downloads import passed_on
from portico.gateway.web.forms import FormState
from portico.gateway.web.i18n import _
from portico.gateway.web.routing import page_router, see_other
from portico.gateway.web.templating import render
from portico.kit.downloads import attachment

router = page_router()

# The exports the section lists: a client is exported a few times in its life at most.
EXPORTS_SHOWN = 20


class EraseForm(BaseModel):
    confirm_name: str = ""


@router.get("/clients/{client_id}/privacy")
async def privacy_page(request: Request, _admin: Admin, portal: Portal, client_id: str) -> Response:
    """The section with the client's exports: what htmx loads into the client's page, and
    a page of its own without script."""
    return await _privacy_page(request, portal, _id(client_id))


@router.post("/clients/{client_id}/exports")
async def request_export(session: Admin, portal: Portal, client_id: str) -> Response:
    client_id = _id(client_id)
    await portal.request_client_export(client_id)
    session.notify(_("Export requested: it will be ready in a few moments."))
    return see_other(f"/clients/{client_id}#privacy")


@router.get("/clients/{client_id}/exports/{export_id}/archive")
async def download_export(
    _admin: Admin, portal: Portal, client_id: str, export_id: str
) -> Response:
    """The portal's zip passed on as it arrives (an archive can hold many files)."""
    client_id, export_id = _id(client_id), _id(export_id)
    export = await portal.client_export(client_id, export_id)
    if export.status != "ready":
        # Only a ready export has a link: an old address of one that failed finds nothing.
        raise PageNotFound
    upstream = await portal.open_client_export_archive(client_id, export_id)
    name = _archive_name(upstream, export)
    return passed_on(upstream, media_type="application/zip", disposition=attachment(name))


@router.post("/clients/{client_id}/erase")
async def erase_client(
    request: Request,
    session: Admin,
    portal: Portal,
    client_id: str,
    posted: Annotated[EraseForm, Form()],
) -> Response:
    client_id = _id(client_id)
    client = await portal.client(client_id)
    if _comparable(posted.confirm_name) != _comparable(client.name):
        form = FormState(
            values={"confirm_name": posted.confirm_name},
            errors={"confirm_name": _("Type the client's name to confirm.")},
        )
        return await _privacy_page(request, portal, client_id, form, 422)
    await portal.erase_client(client_id)
    session.notify(_("Client erased."))
    return see_other("/clients")


async def _privacy_page(
    request: Request,
    portal: PortalApi,
    client_id: str,
    erase_form: FormState | None = None,
    status_code: int = 200,
) -> Response:
    client = await portal.client(client_id)
    exports = await portal.client_exports(client_id, limit=EXPORTS_SHOWN)
    return await render(
        request,
        "portal/clients/_privacy.html",
        status_code,
        section="clients",
        privacy_page=True,
        client=client,
        exports=exports.items,
        exports_pending=any(export.status == "pending" for export in exports.items),
        erase_form=erase_form or FormState(),
    )


def _archive_name(upstream: httpx.Response, export: ClientExport) -> str:
    """The portal's name for the archive (``portico-export-<client>-<date>.zip``), read
    back from its header (RFC 8187's ``filename*`` keeps the client's accents)."""
    disposition = upstream.headers.get("content-disposition", "")
    for part in disposition.split(";"):
        key, _equals, value = part.strip().partition("=")
        if key == "filename*" and value.lower().startswith("utf-8''"):
            return unquote(value[len("utf-8''") :])
    return f"portico-export-{export.created_at:%Y-%m-%d}.zip"


def _comparable(name: str) -> str:
    """A name as typed and as stored compare alike whatever the spaces and accents'
    encoding (a Mac types ``é`` as ``e`` and a combining accent)."""
    return " ".join(unicodedata.normalize("NFC", name).split())


def _id(value: str) -> str:
    """A path's id, or the 404 page: an id that is not one names nothing."""
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise PageNotFound from None
