"""``/quotes/<id>``: a quote as its client will read it (sections, lines, optional lines,
subtotals, discount, VAT by rate, totals) with its status and number, its history, and
what its status allows: edit a draft, send it by email (with its PDF if wished), remind
the client of a quote awaiting their answer, download its PDF (the signed quote once
accepted), invoice an accepted quote or record it as an order, duplicate, void, reopen,
delete a draft never sent; the files attached for the client to read (``attachments``);
a task in the client's workspace about the quote (its form folded until opened).
Who accepted it and when, why it was declined and the invoice it was billed on are said at
the top, from its history. A refusal of the service (the quote changed in another tab) is
said on the page, in the user's words."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any, NamedTuple

from fastapi import Request
from fastapi.responses import Response

from portico.gateway.apis.base import ApiProblem
from portico.gateway.apis.identity import StaffUser
from portico.gateway.areas.portal.api import Portal, PortalApi
from portico.gateway.areas.portal.models import Client, Contact
from portico.gateway.areas.quotes.api import (
    ACCEPTED,
    MAX_ATTACHMENT_BYTES,
    SENT_AGAIN,
    Quote,
    Quotes,
    QuotesApi,
    QuoteStep,
)
from portico.gateway.areas.quotes.history import SHOWN, history_lines, latest_step
from portico.gateway.areas.quotes.pages.editing import (
    client_or_none,
    edit_url,
    quote_url,
    requested_quote,
)
from portico.gateway.areas.quotes.pages.listing import SECTION, URL, parse_uuid
from portico.gateway.areas.quotes.presenting import (
    line_blocks,
    refusal_message,
    template_helpers,
)
from portico.gateway.areas.quotes.quote_form import form_from_refusal
from portico.gateway.web.context import PageNotFound, Staff
from portico.gateway.web.forms import FormState, raise_unless_invalid_input
from portico.gateway.web.i18n import _, format_when, language_name
from portico.gateway.web.routing import page_router, see_other
from portico.gateway.web.session import WebSession
from portico.gateway.web.templating import render

router = page_router()


def _emailable(client: Client | None) -> list[Contact]:
    return [contact for contact in client.contacts if contact.email] if client else []


async def render_quote(
    request: Request,
    quotes: QuotesApi,
    portal: PortalApi,
    quote: Quote,
    *,
    send_form: FormState | None = None,
    attachment_form: FormState | None = None,
    task_form: FormState | None = None,
    refusal: str | None = None,
    status_code: int = 200,
) -> Response:
    """The quote's page; a form refused (sending, a file to attach) shown again with why."""
    client, staff, history, attachments, settings = await asyncio.gather(
        client_or_none(portal, str(quote.client_id)),
        portal.staff_users(include_inactive=True),
        quotes.history(quote.id, limit=SHOWN),
        quotes.attachments(quote.id),
        quotes.settings(),
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
            values={
                "contact_id": addressed.id if addressed else "",
                "message": "",
                # On by default where the organisation asks for signatures.
                "request_esignature": settings.esignature,
            }
        )
    people = {contact.id: contact.full_name for contact in (client.contacts if client else [])}
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
        esignature_offered=settings.esignature,
        send_contacts=[
            (contact.id, f"{contact.full_name} <{contact.email}>") for contact in contacts
        ],
        reminding=quote.status in SENT_AGAIN,
        signed=quote.status in ACCEPTED,
        decision=await _decision(quotes, quote, history.items, history.total, people),
        invoice=await _invoice(quotes, quote, history.items, history.total),
        history=history_lines(
            history.items, people, {member.id: member.full_name for member in staff}
        ),
        history_total=history.total,
        attachments=attachments,
        attachment_form=attachment_form or FormState(),
        max_attachment_bytes=MAX_ATTACHMENT_BYTES,
        task_form=task_form or _task_form(quote, staff),
        task_assignees=_task_assignees(quote, staff),
        refusal=refusal,
        **template_helpers(),
    )


async def _decision(
    quotes: QuotesApi,
    quote: Quote,
    shown: list[QuoteStep],
    total: int,
    people: dict[str, str],
) -> str | None:
    """Who accepted the quote and when, or when it was declined and why."""
    if quote.status in ACCEPTED:
        step = await latest_step(quotes, quote.id, "accepted", shown, total)
        if step is None:
            return _("The client accepted this quote.")
        name = str(step.detail.get("name") or "") or people.get(str(step.contact_id), "")
        return _("Accepted by %(name)s on %(when)s.") % {
            "name": name,
            "when": format_when(step.at),
        }
    if quote.status == "declined":
        step = await latest_step(quotes, quote.id, "declined", shown, total)
        if step is None:
            return _("The client declined this quote.")
        when = format_when(step.at)
        if reason := step.detail.get("reason"):
            return _("Declined on %(when)s: %(reason)s") % {"when": when, "reason": reason}
        return _("Declined on %(when)s.") % {"when": when}
    return None


class BilledOn(NamedTuple):
    """The invoice a quote was billed on: its number, and its id for its PDF."""

    number: str
    invoice_id: uuid.UUID | None


async def _invoice(
    quotes: QuotesApi, quote: Quote, shown: list[QuoteStep], total: int
) -> BilledOn | None:
    """The invoice the quote was billed on (its ``invoiced`` step)."""
    if quote.status != "invoiced":
        return None
    step = await latest_step(quotes, quote.id, "invoiced", shown, total)
    if step is None:
        return None
    number = str(step.detail.get("number") or "")
    if not number:
        return None
    return BilledOn(number, parse_uuid(str(step.detail.get("invoice_id") or "")))


@router.get("/quotes/{quote_id}")
async def quote_page(
    request: Request, _staff: Staff, quotes: Quotes, portal: Portal, quote_id: str
) -> Response:
    return await render_quote(request, quotes, portal, await requested_quote(quotes, quote_id))


async def _email(
    request: Request,
    session: WebSession,
    quotes: QuotesApi,
    portal: PortalApi,
    quote_id: str,
    *,
    reminder: bool,
) -> Response:
    """Sends the quote, or reminds its contact of it: the same form, its own email."""
    quote = await requested_quote(quotes, quote_id)
    posted = await request.form()
    values: dict[str, Any] = {
        name: str(posted.get(name) or "").strip() for name in ("contact_id", "message")
    }
    values["attach_pdf"] = posted.get("attach_pdf") == "true"
    # The box is on the form only when the organisation asks for signatures: absent, the
    # service applies the setting (off).
    offered = posted.get("esignature_offered") == "true"
    values["request_esignature"] = posted.get("request_esignature") == "true"
    try:
        sent = await quotes.send_quote(
            quote.id,
            contact_id=values["contact_id"] or None,
            message=values["message"] or None,
            attach_pdf=values["attach_pdf"],
            request_esignature=values["request_esignature"] if offered else None,
            reminder=reminder,
        )
    except ApiProblem as problem:
        raise_unless_invalid_input(problem)
        if problem.status == 409:
            now = await quotes.quote(quote.id)
            form = FormState(values=values, message=refusal_message(problem, now.status))
            return await render_quote(request, quotes, portal, now, send_form=form, status_code=409)
        form = form_from_refusal(problem, values)
        return await render_quote(request, quotes, portal, quote, send_form=form, status_code=422)
    if reminder:
        session.notify(_("A reminder of the quote %(number)s is sent.") % {"number": sent.number})
    elif quote.number is None:
        session.notify(_("The quote is sent as %(number)s.") % {"number": sent.number})
    else:
        session.notify(_("The quote %(number)s is sent again.") % {"number": sent.number})
    return see_other(quote_url(quote.id))


@router.post("/quotes/{quote_id}/send")
async def send_quote(
    request: Request, session: Staff, quotes: Quotes, portal: Portal, quote_id: str
) -> Response:
    return await _email(request, session, quotes, portal, quote_id, reminder=False)


@router.post("/quotes/{quote_id}/remind")
async def remind_quote(
    request: Request, session: Staff, quotes: Quotes, portal: Portal, quote_id: str
) -> Response:
    return await _email(request, session, quotes, portal, quote_id, reminder=True)


@router.get("/quotes/{quote_id}/pdf")
async def download_pdf(_staff: Staff, quotes: Quotes, quote_id: str) -> Response:
    """The quote's PDF from the service: the sealed signed quote once accepted."""
    quote = await requested_quote(quotes, quote_id)
    content, disposition = await quotes.quote_pdf(quote.id)
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": disposition, "Cache-Control": "private, no-store"},
    )


@router.get("/quotes/invoices/{invoice_id}/pdf")
async def download_invoice_pdf(_staff: Staff, quotes: Quotes, invoice_id: str) -> Response:
    """An invoice's PDF from the service, linked from the quote it bills."""
    found = parse_uuid(invoice_id)
    if found is None:
        raise PageNotFound
    try:
        content, disposition = await quotes.invoice_pdf(found)
    except ApiProblem as problem:
        if problem.status == 404:
            raise PageNotFound from None
        raise
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": disposition, "Cache-Control": "private, no-store"},
    )


async def _refused(
    request: Request, quotes: QuotesApi, portal: PortalApi, quote: Quote, problem: ApiProblem
) -> Response:
    """The quote's page saying why the service refused to change it (a 409)."""
    if problem.status != 409:
        raise problem
    now = await quotes.quote(quote.id)
    refusal = refusal_message(problem, now.status)
    return await render_quote(request, quotes, portal, now, refusal=refusal, status_code=409)


async def _changed(
    request: Request, quotes: QuotesApi, portal: PortalApi, quote: Quote, action: str
) -> Quote | Response:
    """The quote after ``action``, or its page saying why the service refused it."""
    try:
        return await quotes.quote_action(quote.id, action)
    except ApiProblem as problem:
        return await _refused(request, quotes, portal, quote, problem)


@router.post("/quotes/{quote_id}/invoice")
async def invoice_quote(
    request: Request, session: Staff, quotes: Quotes, portal: Portal, quote_id: str
) -> Response:
    quote = await requested_quote(quotes, quote_id)
    try:
        invoice = await quotes.invoice_quote(quote.id)
    except ApiProblem as problem:
        return await _refused(request, quotes, portal, quote, problem)
    session.notify(_("The invoice %(number)s is made.") % {"number": invoice.number})
    return see_other(quote_url(quote.id))


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


async def _status_change(
    request: Request,
    session: WebSession,
    quotes: QuotesApi,
    portal: PortalApi,
    quote_id: str,
    action: str,
    said: str,
) -> Response:
    """Void, reopen or order: the quote moved and ``said``, or its page saying why not."""
    quote = await requested_quote(quotes, quote_id)
    changed = await _changed(request, quotes, portal, quote, action)
    if isinstance(changed, Response):
        return changed
    session.notify(said)
    return see_other(quote_url(quote.id))


@router.post("/quotes/{quote_id}/void")
async def void_quote(
    request: Request, session: Staff, quotes: Quotes, portal: Portal, quote_id: str
) -> Response:
    said = _("The quote is void: its links no longer open it.")
    return await _status_change(request, session, quotes, portal, quote_id, "void", said)


@router.post("/quotes/{quote_id}/reopen")
async def reopen_quote(
    request: Request, session: Staff, quotes: Quotes, portal: Portal, quote_id: str
) -> Response:
    said = _("The quote is a draft again and keeps its number: change it, then send it again.")
    return await _status_change(request, session, quotes, portal, quote_id, "reopen", said)


@router.post("/quotes/{quote_id}/order")
async def order_quote(
    request: Request, session: Staff, quotes: Quotes, portal: Portal, quote_id: str
) -> Response:
    said = _("The quote is recorded as an order.")
    return await _status_change(request, session, quotes, portal, quote_id, "order", said)


@router.post("/quotes/{quote_id}/delete")
async def delete_quote(
    request: Request, session: Staff, quotes: Quotes, portal: Portal, quote_id: str
) -> Response:
    quote = await requested_quote(quotes, quote_id)
    try:
        await quotes.delete_quote(quote.id)
    except ApiProblem as problem:
        return await _refused(request, quotes, portal, quote, problem)
    session.notify(_("The draft “%(title)s” is deleted.") % {"title": quote.title})
    return see_other(URL)


# A task in the client's workspace about the quote: the quotes service asks the portal,
# which makes it; the quote's history says it at once.

TASK_INPUTS = ("title", "description", "due_on", "assignee_id")
# The service's longest task title.
MAX_TASK_TITLE = 200


def _in_charge(quote: Quote, staff: list[StaffUser]) -> StaffUser | None:
    return next((m for m in staff if m.id == str(quote.assignee_id) and m.active), None)


def _task_assignees(quote: Quote, staff: list[StaffUser]) -> list[tuple[str, str]]:
    """The active staff, to choose from. "Nobody" only when the quote has no one in charge:
    the service gives the task to the quote's staff member when none is named."""
    active = sorted((m for m in staff if m.active), key=lambda m: m.full_name.casefold())
    options = [(member.id, member.full_name) for member in active]
    return options if _in_charge(quote, staff) else [("", _("Nobody")), *options]


def _task_form(quote: Quote, staff: list[StaffUser]) -> FormState:
    """The form as it opens: a title to follow the quote up, its staff member in charge."""
    if quote.number:
        title = _("Follow up quote %(number)s") % {"number": quote.number}
    else:
        title = _("Follow up quote “%(title)s”") % {"title": quote.title}
    in_charge = _in_charge(quote, staff)
    return FormState(
        values={
            "title": title[:MAX_TASK_TITLE],
            "description": "",
            "due_on": "",
            "assignee_id": in_charge.id if in_charge else "",
        }
    )


@router.post("/quotes/{quote_id}/tasks")
async def create_task(
    request: Request, session: Staff, quotes: Quotes, portal: Portal, quote_id: str
) -> Response:
    quote = await requested_quote(quotes, quote_id)
    posted = await request.form()
    values = {name: str(posted.get(name) or "").strip() for name in TASK_INPUTS}
    try:
        await quotes.create_task(
            quote.id,
            title=values["title"],
            description=values["description"] or None,
            due_on=values["due_on"] or None,
            assignee_id=values["assignee_id"] or None,
        )
    except ApiProblem as problem:
        raise_unless_invalid_input(problem)
        if problem.status == 409:
            now = await quotes.quote(quote.id)
            form = FormState(values=values, message=refusal_message(problem, now.status))
            return await render_quote(request, quotes, portal, now, task_form=form, status_code=409)
        form = form_from_refusal(problem, values)
        if "due_on" in form.errors:
            form.errors["due_on"] = _("Enter a date between 2000 and 2999.")
        return await render_quote(request, quotes, portal, quote, task_form=form, status_code=422)
    session.notify(_("Task created in the client's workspace."))
    return see_other(quote_url(quote.id))
