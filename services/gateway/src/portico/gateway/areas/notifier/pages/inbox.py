"""The development inbox: every email and SMS the notifier wrote instead of sending them.

Only in the embedded run (``make run`` on a laptop, no SMTP server): it is how a newcomer
reads the invitation email and clicks its link. Only admins read it: it holds everyone's
password-reset and invitation links, and opening one is acting as that person (a staff
member gets a 403 page, as the notifier answers them). An email's HTML is shown as its own
document in a sandboxed frame, with a policy of its own (its inline styles, no script).
"""

from __future__ import annotations

import re

from fastapi import Request
from fastapi.responses import HTMLResponse, Response
from markupsafe import Markup, escape

from portico.gateway.areas.notifier.api import MailboxMessage, Notifier, NotifierApi
from portico.gateway.web.context import PageNotFound, Staff, gateway_of
from portico.gateway.web.i18n import _
from portico.gateway.web.routing import page_router
from portico.gateway.web.security import FRAMED_EMAIL_HEADERS
from portico.gateway.web.session import WebSession
from portico.gateway.web.templating import environment, render

router = page_router()

URL = re.compile(r"https?://[^\s<>\"']+")
# Punctuation that ends a sentence rather than the address before it.
TRAILING = ".,;:!?)]}'\""
HEAD = re.compile(r"<head\b[^>]*>", re.IGNORECASE)
# The mailbox's ids: a timestamp and a few hex digits (the notifier checks them too).
ENTRY_ID = re.compile(r"[0-9A-Za-z-]{1,80}")


def require_development(request: Request) -> None:
    """The inbox exists in the embedded run only: elsewhere emails really leave."""
    if not gateway_of(request).development:
        raise PageNotFound


async def refused(request: Request, staff: WebSession) -> Response | None:
    """The page a staff member who is not an admin gets instead of the inbox, if they are."""
    require_development(request)
    if staff.is_admin:
        return None
    message = _("Only administrators can read the development inbox.")
    return await render(request, "errors/problem.html", status_code=403, message=message)


def framed_email(html: str) -> HTMLResponse:
    """An email's HTML as a document for a sandboxed <iframe>, under its own strict policy.

    Its links open in a new tab (a frame of this site cannot show the pages they lead to).
    """
    base = '<base target="_blank">'
    found = HEAD.search(html)
    document = html[: found.end()] + base + html[found.end() :] if found else base + html
    return HTMLResponse(document, headers=FRAMED_EMAIL_HEADERS)


def links_in(text: str) -> list[str]:
    """Every web address in a text, once each, in order."""
    found: list[str] = []
    for match in URL.finditer(text):
        url = match.group(0).rstrip(TRAILING)
        if url not in found:
            found.append(url)
    return found


def linkify(text: str) -> Markup:
    """The text escaped, with every web address a link (opened in a new tab)."""
    parts: list[str] = []
    position = 0
    for match in URL.finditer(text):
        url = match.group(0).rstrip(TRAILING)
        end = match.start() + len(url)
        parts.append(escape(text[position : match.start()]))
        parts.append(
            Markup('<a href="{0}" target="_blank" rel="noopener noreferrer">{0}</a>').format(url)
        )
        position = end
    parts.append(escape(text[position:]))
    return Markup("").join(parts)


@router.get("/dev/inbox")
async def inbox(request: Request, staff: Staff, notifier: Notifier) -> Response:
    if refusal := await refused(request, staff):
        return refusal
    messages = await notifier.mailbox()
    if request.headers.get("hx-request") == "true":
        # The list refreshes itself: its polls need only the list (and leave the toasts be).
        return HTMLResponse(
            environment.get_template("notifier/inbox/_list.html").render(messages=messages)
        )
    return await render(request, "notifier/inbox/index.html", messages=messages, section="inbox")


@router.get("/dev/inbox/{entry_id}")
async def message_page(
    request: Request, entry_id: str, staff: Staff, notifier: Notifier
) -> Response:
    if refusal := await refused(request, staff):
        return refusal
    message = await _message(request, entry_id, notifier)
    return await render(
        request,
        "notifier/inbox/message.html",
        message=message,
        links=links_in(message.text),
        text=linkify(message.text),
        section="inbox",
    )


@router.get("/dev/inbox/{entry_id}/html")
async def message_html(
    request: Request, entry_id: str, staff: Staff, notifier: Notifier
) -> Response:
    if refusal := await refused(request, staff):
        return refusal
    message = await _message(request, entry_id, notifier)
    if not message.html:
        raise PageNotFound
    return framed_email(message.html)


async def _message(request: Request, entry_id: str, notifier: NotifierApi) -> MailboxMessage:
    if not ENTRY_ID.fullmatch(entry_id):
        raise PageNotFound
    return await notifier.mailbox_message(entry_id)
