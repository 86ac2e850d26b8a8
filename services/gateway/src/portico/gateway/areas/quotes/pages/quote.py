"""``/quotes/<id>``: a quote as its client will read it (sections, lines, optional lines,
subtotals, discount, VAT by rate, totals) with its status and number, and what its status
allows: edit a draft, send it by email (again, once sent), duplicate, void, reopen, delete
a draft never sent. A refusal of the service (the quote changed in another tab) is said on
the page, in the user's words."""

from __future__ import annotations

import asyncio

from fastapi import Request
from fastapi.responses import Response

from portico.gateway.apis.base import ApiProblem
from portico.gateway.areas.portal.api import Portal, PortalApi
from portico.gateway.areas.portal.models import Client, Contact
from portico.gateway.areas.quotes.api import SENT_AGAIN, Quote, Quotes, QuotesApi
from portico.gateway.areas.quotes.pages.editing import (
    client_or_none,
    edit_url,
    quote_url,
    requested_quote,
)
from portico.gateway.areas.quotes.pages.listing import SECTION, URL
from portico.gateway.areas.quotes.presenting import (
    line_blocks,
    refusal_message,
    template_helpers,
)
from portico.gateway.areas.quotes.quote_form import form_from_refusal
from portico.gateway.web.context import Staff
from portico.gateway.web.forms import FormState, raise_unless_invalid_input
from portico.gateway.web.i18n import _, language_name
from portico.gateway.web.routing import page_router, see_other
from portico.gateway.web.templating import render

router = page_router()


def _emailable(client: Client | None) -> list[Contact]:
    return [contact for contact in client.contacts if contact.email] if client else []


async def _quote_page(
    request: Request,
    quotes: QuotesApi,
    portal: PortalApi,
    quote: Quote,
    *,
    send_form: FormState | None = None,
    refusal: str | None = None,
    status_code: int = 200,
) -> Response:
    client, staff = await asyncio.gather(
        client_or_none(portal, str(quote.client_id)), portal.staff_users(include_inactive=True)
    )
    contacts = _emailable(client)
    addressed = next(
        (
            contact
            for contact in (client.contacts if client else [])
            if contact.id == str(quote.contact_id)
        ),
        None,
    )
    if send_form is None:
        send_form = FormState(
            values={"contact_id": addressed.id if addressed else "", "message": ""}
        )
    return await render(
        request,
        "quotes/quote.html",
        status_code,
        section=SECTION,
        page_url=quote_url(quote.id),
        quote=quote,
        blocks=line_blocks(quote),
        client=client,
        contact=addressed,
        assignee=next((member for member in staff if member.id == str(quote.assignee_id)), None),
        language=language_name(quote.locale).capitalize(),
        send_form=send_form,
        send_contacts=[
            (contact.id, f"{contact.full_name} <{contact.email}>") for contact in contacts
        ],
        sent_before=quote.status in SENT_AGAIN,
        refusal=refusal,
        **template_helpers(),
    )


@router.get("/quotes/{quote_id}")
async def quote_page(
    request: Request, _staff: Staff, quotes: Quotes, portal: Portal, quote_id: str
) -> Response:
    return await _quote_page(request, quotes, portal, await requested_quote(quotes, quote_id))


@router.post("/quotes/{quote_id}/send")
async def send_quote(
    request: Request, session: Staff, quotes: Quotes, portal: Portal, quote_id: str
) -> Response:
    quote = await requested_quote(quotes, quote_id)
    posted = await request.form()
    values = {name: str(posted.get(name) or "").strip() for name in ("contact_id", "message")}
    try:
        sent = await quotes.send_quote(
            quote.id, contact_id=values["contact_id"] or None, message=values["message"] or None
        )
    except ApiProblem as problem:
        raise_unless_invalid_input(problem)
        if problem.status == 409:
            now = await quotes.quote(quote.id)
            form = FormState(values=values, message=refusal_message(problem, now.status))
            return await _quote_page(request, quotes, portal, now, send_form=form, status_code=409)
        form = form_from_refusal(problem, values)
        return await _quote_page(request, quotes, portal, quote, send_form=form, status_code=422)
    if quote.number is None:
        session.notify(_("The quote is sent as %(number)s.") % {"number": sent.number})
    else:
        session.notify(_("The quote %(number)s is sent again.") % {"number": sent.number})
    return see_other(quote_url(quote.id))


async def _changed(
    request: Request, quotes: QuotesApi, portal: PortalApi, quote: Quote, action: str
) -> Quote | Response:
    """The quote after ``action``, or its page saying why the service refused it."""
    try:
        return await quotes.quote_action(quote.id, action)
    except ApiProblem as problem:
        if problem.status != 409:
            raise
        now = await quotes.quote(quote.id)
        refusal = refusal_message(problem, now.status)
        return await _quote_page(request, quotes, portal, now, refusal=refusal, status_code=409)


@router.post("/quotes/{quote_id}/duplicate")
async def duplicate_quote(
    request: Request, session: Staff, quotes: Quotes, portal: Portal, quote_id: str
) -> Response:
    quote = await requested_quote(quotes, quote_id)
    copy = await _changed(request, quotes, portal, quote, "duplicate")
    if isinstance(copy, Response):
        return copy
    session.notify(_("This is a copy, a new draft issued today: change it, then send it."))
    return see_other(edit_url(copy.id))


@router.post("/quotes/{quote_id}/void")
async def void_quote(
    request: Request, session: Staff, quotes: Quotes, portal: Portal, quote_id: str
) -> Response:
    quote = await requested_quote(quotes, quote_id)
    voided = await _changed(request, quotes, portal, quote, "void")
    if isinstance(voided, Response):
        return voided
    session.notify(_("The quote is void: its links no longer open it."))
    return see_other(quote_url(quote.id))


@router.post("/quotes/{quote_id}/reopen")
async def reopen_quote(
    request: Request, session: Staff, quotes: Quotes, portal: Portal, quote_id: str
) -> Response:
    quote = await requested_quote(quotes, quote_id)
    reopened = await _changed(request, quotes, portal, quote, "reopen")
    if isinstance(reopened, Response):
        return reopened
    session.notify(
        _("The quote is a draft again and keeps its number: change it, then send it again.")
    )
    return see_other(quote_url(quote.id))


@router.post("/quotes/{quote_id}/delete")
async def delete_quote(
    request: Request, session: Staff, quotes: Quotes, portal: Portal, quote_id: str
) -> Response:
    quote = await requested_quote(quotes, quote_id)
    try:
        await quotes.delete_quote(quote.id)
    except ApiProblem as problem:
        if problem.status != 409:
            raise
        now = await quotes.quote(quote.id)
        refusal = refusal_message(problem, now.status)
        return await _quote_page(request, quotes, portal, now, refusal=refusal, status_code=409)
    session.notify(_("The draft “%(title)s” is deleted.") % {"title": quote.title})
    return see_other(URL)
