"""``/quotes/new`` and ``/quotes/<id>/edit``: a draft's form. A new quote first asks whose
it is (``?client_id=`` from a client's page skips that), then offers the client's contacts,
the staff, the catalogue, and the settings' texts to start from.

The form posts the whole draft (``quote_form``); its add, move and remove buttons post it
too and show it again, nothing saved, when no script does their work in the page. The
service checks and totals what is saved; its refusals come back beside their inputs with
everything typed kept."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from portico.gateway.apis.base import ApiProblem
from portico.gateway.areas.portal.api import Portal, PortalApi
from portico.gateway.areas.portal.models import Client
from portico.gateway.areas.quotes.api import Quote, Quotes, QuotesApi
from portico.gateway.areas.quotes.decimal_inputs import for_input
from portico.gateway.areas.quotes.pages.listing import SECTION, parse_uuid
from portico.gateway.areas.quotes.presenting import (
    CURRENCY_PRESETS,
    VAT_PRESETS,
    discount_kinds,
    refusal_message,
    template_helpers,
)
from portico.gateway.areas.quotes.quote_form import (
    QuoteDraft,
    apply_command,
    draft_of,
    form_from_refusal,
    form_values,
    groups,
    new_draft,
    own_errors,
    posted_draft,
    request_body,
)
from portico.gateway.web.context import PageNotFound, Staff, verify_csrf
from portico.gateway.web.forms import FormState, raise_unless_invalid_input
from portico.gateway.web.i18n import _, language_choices
from portico.gateway.web.routing import see_other
from portico.gateway.web.session import WebSession
from portico.gateway.web.templating import render

NEW_URL = "/quotes/new"
# The portal lists at most this many clients at once; more are found by a search.
CLIENT_CHOICES = 200
# A quote's form: a dozen inputs a line, up to the service's 500 lines and 50 sections.
MOST_FORM_FIELDS = 8_000


async def read_whole_form(request: Request) -> None:
    """Reads a quote's form before the CSRF check does: Starlette stops reading at 1,000
    fields, some 80 lines, and keeps the form it read for the check and the page."""
    if request.method == "POST":
        await request.form(max_fields=MOST_FORM_FIELDS)


# The pages' router (``page_router``), the form read whole first.
router = APIRouter(
    dependencies=[Depends(read_whole_form), Depends(verify_csrf)], include_in_schema=False
)


def quote_url(quote_id: uuid.UUID | str) -> str:
    return f"/quotes/{quote_id}"


def edit_url(quote_id: uuid.UUID | str) -> str:
    return f"/quotes/{quote_id}/edit"


async def client_or_none(portal: PortalApi, client_id: str) -> Client | None:
    """The portal's client, or None when it has none by that id (deleted since)."""
    if parse_uuid(client_id) is None:
        return None
    try:
        return await portal.client(client_id)
    except ApiProblem as problem:
        if problem.status not in {404, 422}:
            raise
        return None


# --- Whose quote -------------------------------------------------------------------------------


async def _choose_client(request: Request, portal: PortalApi, q: str) -> Response:
    search = q.replace("\x00", "").strip()[:200]
    clients = await portal.clients(q=search or None, limit=CLIENT_CHOICES)
    return await render(
        request, "quotes/choose_client.html", section=SECTION, clients=clients, q=search
    )


# --- The form ------------------------------------------------------------------------------------


async def _form_page(
    request: Request,
    quotes: QuotesApi,
    portal: PortalApi,
    draft: QuoteDraft,
    form: FormState,
    *,
    client: Client | None,
    quote: Quote | None = None,
    status_code: int = 200,
) -> Response:
    # What the form offers, asked together.
    staff, products, settings = await asyncio.gather(
        portal.staff_users(include_inactive=True),
        quotes.products(archived=True),
        quotes.settings(),
    )
    assignee = draft.quote["assignee_id"]
    used_products = {line.text("product_id") for line in draft.lines}
    return await render(
        request,
        "quotes/form.html",
        status_code,
        section=SECTION,
        page_url=edit_url(quote.id) if quote else f"{NEW_URL}?client_id={draft.quote['client_id']}",
        action=edit_url(quote.id) if quote else NEW_URL,
        quote=quote,
        client=client,
        client_name=client.name if client else (quote.client_name if quote else ""),
        form=form,
        blank_form=FormState(),
        groups=groups(draft),
        sections=draft.sections,
        line_count=len(draft.lines),
        contacts=[
            (
                contact.id,
                f"{contact.full_name} <{contact.email}>" if contact.email else contact.full_name,
            )
            for contact in (client.contacts if client else [])
        ],
        # The active staff, and the one in charge even if deactivated since (shown as such).
        assignees=[
            ("", "—"),
            *(
                (
                    member.id,
                    member.full_name
                    if member.active
                    else _("%(name)s (deactivated)") % {"name": member.full_name},
                )
                for member in staff
                if member.active or member.id == assignee
            ),
        ],
        # The catalogue; an archived product stays offered to the lines made from it.
        products=[
            product
            for product in products
            if not product.archived or str(product.id) in used_products
        ],
        for_input=for_input,
        languages=[("", _("The contact's language")), *language_choices()],
        currencies=CURRENCY_PRESETS,
        vat_presets=[for_input(rate) for rate in VAT_PRESETS],
        discount_kinds=discount_kinds(draft.quote["currency"].upper()),
        validity_days=settings.validity_days,
        **template_helpers(),
    )


async def _posted(request: Request) -> tuple[QuoteDraft, str]:
    form = await request.form()
    command = form.get("command")
    return posted_draft(form.multi_items()), command if isinstance(command, str) else "save"


async def _save(
    request: Request,
    session: WebSession,
    quotes: QuotesApi,
    portal: PortalApi,
    client: Client | None,
    quote: Quote | None,
) -> Response:
    """Apply a rearranging command and show the form again, or save the draft and show it."""
    draft, command = await _posted(request)
    if quote is not None:
        # A quote keeps its client: what was offered to one client stays theirs.
        draft.quote["client_id"] = str(quote.client_id)

    async def again(shown: QuoteDraft, form: FormState, status: int) -> Response:
        return await _form_page(
            request, quotes, portal, shown, form, client=client, quote=quote, status_code=status
        )

    if command != "save":
        rearranged = apply_command(draft, command)
        return await again(rearranged, FormState(values=form_values(rearranged)), 200)
    draft = draft.without_blank_lines()
    values = form_values(draft)
    if errors := own_errors(draft):
        return await again(draft, FormState(values=values, errors=errors), 422)
    try:
        if quote is None:
            saved = await quotes.create_quote(request_body(draft))
        else:
            saved = await quotes.replace_quote(quote.id, request_body(draft))
    except ApiProblem as problem:
        raise_unless_invalid_input(problem)
        if problem.status == 409 and quote is not None:
            now = await quotes.quote(quote.id)
            form = FormState(values=values, message=refusal_message(problem, now.status))
        elif problem.status == 413:
            form = FormState(
                values=values, message=_("This quote is too long to be saved at once.")
            )
        else:
            form = form_from_refusal(problem, values)
        return await again(draft, form, problem.status if problem.status == 409 else 422)
    session.notify(
        _("The draft is saved.") if quote else _("The draft is made: check it, then send it.")
    )
    return see_other(quote_url(saved.id))


@router.get(NEW_URL)
async def new_quote_page(
    request: Request,
    _staff: Staff,
    quotes: Quotes,
    portal: Portal,
    client_id: str = "",
    q: str = "",
) -> Response:
    client = await client_or_none(portal, client_id)
    if client is None:
        return await _choose_client(request, portal, q)
    settings = await quotes.settings()
    draft = new_draft(
        {
            "client_id": client.id,
            "contact_id": client.contacts[0].id if client.contacts else "",
            "assignee_id": client.assigned_staff_id or "",
            "currency": "EUR",
            # The service's today: UTC.
            "issue_date": datetime.now(UTC).date().isoformat(),
            "introduction": settings.default_introduction,
            "terms": settings.default_terms,
            "discount_kind": "percent",
        }
    )
    return await _form_page(
        request, quotes, portal, draft, FormState(values=form_values(draft)), client=client
    )


@router.post(NEW_URL)
async def create_quote(
    request: Request, session: Staff, quotes: Quotes, portal: Portal
) -> Response:
    client_id = (await request.form()).get("client_id")
    client = await client_or_none(portal, client_id if isinstance(client_id, str) else "")
    if client is None:
        session.notify(_("This client is no longer in the portal: choose another."), "error")
        return see_other(NEW_URL)
    return await _save(request, session, quotes, portal, client, None)


async def requested_quote(quotes: QuotesApi, quote_id: str) -> Quote:
    """The quote the page's address names; the not-found page for an address that names
    none (an id mistyped, or a quote deleted)."""
    found = parse_uuid(quote_id)
    if found is None:
        raise PageNotFound
    return await quotes.quote(found)


@router.get("/quotes/{quote_id}/edit")
async def edit_quote_page(
    request: Request, session: Staff, quotes: Quotes, portal: Portal, quote_id: str
) -> Response:
    quote = await requested_quote(quotes, quote_id)
    if quote.status != "draft":
        session.notify(_("Only a draft is changed: reopen the quote first."), "info")
        return see_other(quote_url(quote.id))
    draft = draft_of(quote)
    client = await client_or_none(portal, str(quote.client_id))
    form = FormState(values=form_values(draft))
    return await _form_page(request, quotes, portal, draft, form, client=client, quote=quote)


@router.post("/quotes/{quote_id}/edit")
async def save_quote(
    request: Request, session: Staff, quotes: Quotes, portal: Portal, quote_id: str
) -> Response:
    quote = await requested_quote(quotes, quote_id)
    client = await client_or_none(portal, str(quote.client_id))
    return await _save(request, session, quotes, portal, client, quote)
