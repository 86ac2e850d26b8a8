"""``/quotes/<id>/attachments``: the files staff attach to a quote for its client to read
(a plan, a brochure, photos), listed on the quote's page. A file is sent on as it is read,
and downloads are passed on as they arrive, here and on the online quote (``online``). The
service's refusal (too large, a type it does not take, too many, the quote settled) is said
on the quote's page, in the user's words."""

from __future__ import annotations

from typing import Annotated

from fastapi import File, Request, UploadFile
from fastapi.responses import Response

from portico.gateway.apis.base import ApiProblem
from portico.gateway.areas.portal.api import Portal, PortalApi
from portico.gateway.areas.quotes.api import (
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS,
    Quote,
    Quotes,
    QuotesApi,
)
from portico.gateway.areas.quotes.pages.editing import quote_url, requested_quote
from portico.gateway.areas.quotes.pages.listing import parse_uuid
from portico.gateway.areas.quotes.pages.quote import render_quote
from portico.gateway.areas.quotes.presenting import status_name
from portico.gateway.web.context import PageNotFound, Staff
from portico.gateway.web.downloads import passed_on
from portico.gateway.web.forms import FormState, field_message, too_large
from portico.gateway.web.i18n import _
from portico.gateway.web.routing import page_router, see_other

router = page_router()


def file_refused(problem: ApiProblem) -> FormState:
    """The service's refusal of a file, beside the form's input."""
    codes = {str(error.get("field")): str(error.get("code")) for error in problem.errors}
    code = codes.get("file", "")
    if problem.status == 413 or code == "file_too_large":
        message = too_large(MAX_ATTACHMENT_BYTES)
    elif problem.status == 415 or code == "file_type":
        message = _(
            "This type of file is not accepted: send a PDF, an image (PNG, JPEG, WebP), "
            "a DOCX or XLSX document or a text file."
        )
    elif code == "too_many_files":
        message = _("A quote has at most %(count)s attachments: delete one to add another.") % {
            "count": MAX_ATTACHMENTS
        }
    else:
        errors = [error for error in problem.errors if error.get("field") == "file"]
        message = field_message(errors[0]) if errors else problem.detail or problem.title
    return FormState(errors={"file": message})


def settled_message(quote: Quote) -> str:
    return _(
        "This quote is “%(status)s”: its attachments stay as they were. Duplicate it to "
        "offer other documents."
    ) % {"status": status_name(quote.status)}


async def _refused(
    request: Request,
    quotes: QuotesApi,
    portal: PortalApi,
    quote: Quote,
    problem: ApiProblem,
) -> Response:
    """The quote's page again, saying why the service refused the change."""
    if problem.status == 409:
        now = await quotes.quote(quote.id)
        return await render_quote(
            request, quotes, portal, now, refusal=settled_message(now), status_code=409
        )
    if problem.status not in {413, 415, 422}:
        raise problem
    form = file_refused(problem)
    return await render_quote(
        request, quotes, portal, quote, attachment_form=form, status_code=problem.status
    )


@router.post("/quotes/{quote_id}/attachments")
async def attach_file(
    request: Request,
    session: Staff,
    quotes: Quotes,
    portal: Portal,
    quote_id: str,
    file: Annotated[UploadFile | None, File()] = None,
) -> Response:
    quote = await requested_quote(quotes, quote_id)
    if file is None or not file.filename:
        form = FormState(errors={"file": _("Choose a file to send.")})
        return await render_quote(
            request, quotes, portal, quote, attachment_form=form, status_code=422
        )
    try:
        await quotes.attach(quote.id, file.filename, file.file, file.content_type)
    except ApiProblem as problem:
        return await _refused(request, quotes, portal, quote, problem)
    finally:
        await file.close()
    session.notify(_("The file “%(name)s” is attached.") % {"name": file.filename})
    return see_other(f"{quote_url(quote.id)}#attachments")


@router.get("/quotes/{quote_id}/attachments/{attachment_id}")
async def download_attachment(
    _staff: Staff, quotes: Quotes, quote_id: str, attachment_id: str
) -> Response:
    found_quote, found = parse_uuid(quote_id), parse_uuid(attachment_id)
    if found_quote is None or found is None:
        raise PageNotFound
    return passed_on(await quotes.open_attachment(found_quote, found))


@router.post("/quotes/{quote_id}/attachments/{attachment_id}/delete")
async def delete_attachment(
    request: Request,
    session: Staff,
    quotes: Quotes,
    portal: Portal,
    quote_id: str,
    attachment_id: str,
) -> Response:
    quote = await requested_quote(quotes, quote_id)
    found = parse_uuid(attachment_id)
    if found is None:
        raise PageNotFound
    try:
        await quotes.delete_attachment(quote.id, found)
    except ApiProblem as problem:
        return await _refused(request, quotes, portal, quote, problem)
    session.notify(_("The attachment is deleted."))
    return see_other(f"{quote_url(quote.id)}#attachments")
