"""``/q/<token>``: the quote a link from an email opens, with no account.

The token in the address is the credential: every call to the quotes service is made
anonymously with it (the browser's address and user agent passed on for the quote's
history, as the signer's page does), so the page can only show the link's own quote. The
page is in the quote's language unless the visitor picked one with the language switch.

The client ticks the optional lines they take (the totals follow), asks a question,
declines with a reason if they wish, or accepts: their name, the terms accepted, and their
signature drawn on the pad or typed when the organisation asks for one. Everything works
as plain forms; ``static/js/online-quote.js`` submits the options as they are ticked, draws
the signature and notes the browser's time zone. Choosing, declining and accepting answer
the quote as it now is, and the page is drawn from that answer: reading the quote again
would count one more visit in its history. An answer refused is said beside the field at
fault, or as a message, with what was typed kept. The files staff attached are listed under
"Documents", each downloaded through the page.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import Request
from fastapi.responses import Response

from portico.gateway.apis.base import ApiProblem
from portico.gateway.areas.quotes.api import Acceptance, OnlineQuote, Quotes, QuotesApi
from portico.gateway.areas.quotes.pages.listing import parse_uuid
from portico.gateway.areas.quotes.presenting import (
    line_blocks,
    quote_field_message,
    template_helpers,
)
from portico.gateway.web.context import Session
from portico.gateway.web.downloads import passed_on
from portico.gateway.web.forms import FormState, too_long
from portico.gateway.web.i18n import _, use_locale
from portico.gateway.web.routing import page_router, see_other
from portico.gateway.web.session import WebSession
from portico.gateway.web.templating import render

router = page_router()

TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,100}$")
# The cookie the signer's page keeps the browser's time zone in: a fallback without script.
TIME_ZONE_COOKIE = "portico_tz"
ACCEPTED = frozenset({"accepted", "invoiced", "ordered"})
# The service's fields → the accept form's inputs.
ACCEPT_FIELDS = {
    "name": "name",
    "accept_terms": "accept_terms",
    "signature": "signature",
    "signature.text": "signature",
    "signature.image_png_base64": "signature",
    "signature.kind": "signature",
}
# The service's limits, said before it is asked (the page's fields carry them too).
MAX_FEEDBACK = 5_000
MAX_REASON = 2_000


class LinkClosed(Exception):
    """The link opens no quote (unknown, expired, revoked, or the quote withdrawn)."""


def url(token: str) -> str:
    return f"/q/{token}"


def _token(token: str) -> str:
    if not TOKEN.match(token):
        raise LinkClosed
    return token


def _time_zone(candidate: str | None) -> str | None:
    """An IANA name the service will take, or None (the service refuses any other)."""
    if not candidate or len(candidate) > 64:
        return None
    try:
        ZoneInfo(candidate)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return candidate


def _speak(session: WebSession, quote: OnlineQuote) -> None:
    """The page speaks the quote's language unless the visitor chose one."""
    if quote.locale:
        use_locale(session.locale or quote.locale)


def _state(quote: OnlineQuote) -> str:
    """What the page offers: answers, or why there are none."""
    if quote.can_accept:
        return "open"
    if quote.status in ACCEPTED or (quote.decision and quote.decision.status == "accepted"):
        return "accepted"
    if quote.status == "declined":
        return "declined"
    return "expired"


async def _gone(request: Request) -> Response:
    return await render(request, "quotes/online/gone.html", 404)


async def _read(quotes: QuotesApi, token: str) -> OnlineQuote:
    try:
        return await quotes.online_quote(token)
    except ApiProblem as problem:
        if problem.status in {404, 410, 422}:
            raise LinkClosed from None
        raise


def _accept_defaults(quote: OnlineQuote) -> FormState:
    return FormState(values={"name": quote.contact_name or ""})


async def _page(
    request: Request,
    session: WebSession,
    token: str,
    quote: OnlineQuote,
    *,
    accept: FormState | None = None,
    feedback: FormState | None = None,
    decline: FormState | None = None,
    choices: FormState | None = None,
    message: str | None = None,
    status_code: int = 200,
) -> Response:
    _speak(session, quote)
    return await render(
        request,
        "quotes/online/quote.html",
        status_code,
        token=token,
        page_url=url(token),
        quote=quote,
        state=_state(quote),
        blocks=line_blocks(quote),
        has_options=any(line.optional for line in quote.lines),
        organisation_name=quote.organisation.name if quote.organisation else None,
        accept=accept or _accept_defaults(quote),
        feedback=feedback or FormState(),
        decline=decline or FormState(),
        choices=choices or FormState(),
        message=message,
        max_feedback=MAX_FEEDBACK,
        max_reason=MAX_REASON,
        **template_helpers(),
    )


async def _answer_refused(
    request: Request,
    session: WebSession,
    quotes: QuotesApi,
    token: str,
    problem: ApiProblem,
    **forms: FormState,
) -> Response:
    """The page again after a refusal: the quote as it now is, what was typed kept, the
    refusal beside the field at fault (422) or said as a message (409)."""
    if problem.status in {404, 410}:
        raise LinkClosed
    if problem.status not in {409, 413, 422}:
        raise problem
    quote = await _read(quotes, token)
    message = _refusal(quote) if problem.status == 409 else None
    if problem.status == 413:
        message = _("What you sent is too large: draw the signature again, more simply.")
    return await _page(
        request, session, token, quote, message=message, status_code=problem.status, **forms
    )


def _refusal(quote: OnlineQuote) -> str:
    """Why an answer was refused (another tab, the date passed), in the page's words."""
    state = _state(quote)
    if state == "accepted":
        return _("This quote has already been accepted.")
    if state == "declined":
        return _("This quote has been declined: it can no longer be answered.")
    if state == "expired":
        return _("This quote has expired: ask the sender for a new one.")
    return _("This answer could not be recorded: reload the page and try again.")


def _field_errors(
    problem: ApiProblem, values: Mapping[str, Any], fields: Mapping[str, str]
) -> FormState:
    """The form again, each of the service's field errors beside its input."""
    form = FormState(values=dict(values))
    for error in problem.errors:
        name = fields.get(str(error.get("field") or ""))
        if name is None:
            form.message = form.message or _answer_message(error)
        else:
            form.errors.setdefault(name, _answer_message(error))
    if not form.errors and form.message is None:
        form.message = problem.detail or problem.title
    return form


def _answer_message(error: Mapping[str, Any]) -> str:
    code = str(error.get("code") or "")
    field = str(error.get("field") or "")
    if code == "terms_not_accepted" or field == "accept_terms":
        return _("Tick the box to accept the quote's terms.")
    if field.startswith("signature"):
        if code == "blank":
            return _("The signature is empty: draw it, or type it.")
        if code in {"too_large", "image_content", "not_base64"}:
            return _("This drawing could not be read: clear it and draw again, or type it.")
        if code in {"missing", "string_too_short"}:
            return _("Draw your signature, or type it.")
    if code == "string_too_long" and field == "message":
        return too_long(MAX_FEEDBACK)
    if code == "string_too_long" and field == "reason":
        return too_long(MAX_REASON)
    if code == "unknown_time_zone":
        return _("Your time zone could not be read: reload the page and try again.")
    if field.startswith("chosen"):
        return _("The options have changed: reload the page and choose again.")
    return quote_field_message(error)


@router.get("/q/{token}")
async def online_quote(request: Request, session: Session, quotes: Quotes, token: str) -> Response:
    try:
        token = _token(token)
        quote = await _read(quotes, token)
    except LinkClosed:
        return await _gone(request)
    return await _page(request, session, token, quote)


@router.get("/q/{token}/pdf")
async def download(request: Request, quotes: Quotes, token: str) -> Response:
    """The quote's PDF from the service: the sealed, signed quote once accepted."""
    try:
        content, disposition = await quotes.online_pdf(_token(token))
    except LinkClosed:
        return await _gone(request)
    except ApiProblem as problem:
        if problem.status in {404, 410, 422}:
            return await _gone(request)
        raise
    return Response(
        content,
        media_type="application/pdf",
        headers={"Content-Disposition": disposition, "Cache-Control": "private, no-store"},
    )


@router.get("/q/{token}/attachments/{attachment_id}")
async def download_attachment(
    request: Request, quotes: Quotes, token: str, attachment_id: str
) -> Response:
    """A file staff attached to the link's quote, passed on as the service streams it."""
    found = parse_uuid(attachment_id)
    try:
        if found is None:
            raise LinkClosed
        upstream = await quotes.open_online_attachment(_token(token), found)
    except LinkClosed:
        return await _gone(request)
    except ApiProblem as problem:
        if problem.status in {404, 410, 422}:
            return await _gone(request)
        raise
    return passed_on(upstream)


@router.post("/q/{token}/choices")
async def choose(request: Request, session: Session, quotes: Quotes, token: str) -> Response:
    posted = await request.form()
    chosen = [str(value) for value in posted.getlist("chosen")]
    try:
        token = _token(token)
        try:
            quote = await quotes.choose_options(token, chosen)
        except ApiProblem as problem:
            form = _field_errors(problem, {"chosen": chosen}, {})
            return await _answer_refused(request, session, quotes, token, problem, choices=form)
    except LinkClosed:
        return await _gone(request)
    return await _page(request, session, token, quote)


@router.post("/q/{token}/feedback")
async def feedback(request: Request, session: Session, quotes: Quotes, token: str) -> Response:
    posted = await request.form()
    message = str(posted.get("message") or "").strip()
    values = {"message": message}
    try:
        token = _token(token)
        if not message:
            quote = await _read(quotes, token)
            form = FormState(values=values, errors={"message": _("Write your question.")})
            return await _page(request, session, token, quote, feedback=form, status_code=422)
        try:
            await quotes.post_feedback(token, message)
        except ApiProblem as problem:
            form = _field_errors(problem, values, {"message": "message"})
            return await _answer_refused(request, session, quotes, token, problem, feedback=form)
    except LinkClosed:
        return await _gone(request)
    # The service answers the comment, not the quote: the page is read again.
    session.notify(_("Your question is sent. The answer will come by email."))
    return see_other(url(token))


@router.post("/q/{token}/decline")
async def decline(request: Request, session: Session, quotes: Quotes, token: str) -> Response:
    posted = await request.form()
    reason = str(posted.get("reason") or "").strip()
    try:
        token = _token(token)
        try:
            quote = await quotes.decline_online(token, reason or None)
        except ApiProblem as problem:
            form = _field_errors(problem, {"reason": reason}, {"reason": "reason"})
            return await _answer_refused(request, session, quotes, token, problem, decline=form)
    except LinkClosed:
        return await _gone(request)
    return await _page(request, session, token, quote)


def _signature(values: Mapping[str, str]) -> dict[str, str] | None:
    """The signature the form carries: the pad's drawing, else the typed name, else none
    (the service says whether one is needed). The page's script sends only the one the
    signer chose; without script there is only the typed one."""
    if drawn := values["signature_png"]:
        return {"kind": "drawn", "image_png_base64": drawn}
    if typed := values["signature_text"]:
        return {"kind": "typed", "text": typed}
    return None


@router.post("/q/{token}/accept")
async def accept(request: Request, session: Session, quotes: Quotes, token: str) -> Response:
    posted = await request.form()
    values = {
        name: str(posted.get(name) or "").strip()
        for name in ("name", "signature_png", "signature_text", "time_zone")
    }
    values["accept_terms"] = "true" if posted.get("accept_terms") else ""
    acceptance = Acceptance(
        name=values["name"],
        accept_terms=bool(values["accept_terms"]),
        signature=_signature(values),
        time_zone=_time_zone(values["time_zone"])
        or _time_zone(request.cookies.get(TIME_ZONE_COOKIE)),
    )
    try:
        token = _token(token)
        try:
            quote = await quotes.accept_online(token, acceptance)
        except ApiProblem as problem:
            form = _field_errors(problem, values, ACCEPT_FIELDS)
            return await _answer_refused(request, session, quotes, token, problem, accept=form)
    except LinkClosed:
        return await _gone(request)
    return await _page(request, session, token, quote)
