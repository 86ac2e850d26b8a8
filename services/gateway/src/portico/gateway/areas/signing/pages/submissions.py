"""Sending a smart document and following what was sent: the send form (a client's
contacts or named people for each role, the company's countersignature by a staff
member), the list of submissions with their status, and one submission's page (who has
signed, the trail, the completed PDF and its certificate, remind, cancel, retry).
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time
from typing import Any

from fastapi import Request
from fastapi.responses import Response

from portico.gateway.apis.base import ApiProblem
from portico.gateway.areas.portal.api import Portal
from portico.gateway.areas.signing.api import Signing, Submission, Template
from portico.gateway.areas.signing.pages.downloads import pdf_attachment
from portico.gateway.areas.signing.pages.templates import SECTION, parse_id
from portico.gateway.web.context import Identity, PageNotFound, Staff
from portico.gateway.web.forms import FormState, form_from_problem, raise_unless_invalid_input
from portico.gateway.web.i18n import N_, _
from portico.gateway.web.routing import page_router, see_other
from portico.gateway.web.templating import render

router = page_router()

PAGE_SIZE = 25
STATUSES = {
    "sent": N_("Sent"),
    "opened": N_("Opened"),
    "partially_signed": N_("Partially signed"),
    "completed": N_("Completed"),
    "declined": N_("Declined"),
    "expired": N_("Expired"),
    "cancelled": N_("Cancelled"),
}
SUBMITTER_STATUSES = {
    "waiting": N_("Waiting for their turn"),
    "sent": N_("Sent"),
    "opened": N_("Opened"),
    "completed": N_("Signed"),
    "declined": N_("Declined"),
}
KINDS = {
    "signer": N_("Signer"),
    "approver": N_("Approver"),
    "viewer": N_("Viewer"),
    "cc": N_("Copy"),
}
ACTIONS = {
    "created": N_("Created"),
    "sent": N_("Link sent"),
    "viewed": N_("Opened the document"),
    "code_sent": N_("Identity code sent"),
    "identity_checked": N_("Identity checked"),
    "identity_failed": N_("Wrong identity code"),
    "field_completed": N_("Filled a field"),
    "signed": N_("Signed"),
    "approved": N_("Approved"),
    "completed": N_("Completed their part"),
    "submitted": N_("Submitted"),
    "declined": N_("Declined"),
    "reminded": N_("Reminded"),
    "last_call": N_("Told the link expires soon"),
    "expired": N_("Expired"),
    "cancelled": N_("Cancelled"),
    "document_sealed": N_("Completed document sealed"),
    "downloaded": N_("Downloaded the completed document"),
}
BADGES = {
    "completed": "badge-active",
    "declined": "badge-archived",
    "expired": "badge-archived",
    "cancelled": "badge-archived",
}


def submission_url(submission_id: uuid.UUID | str) -> str:
    return f"/smart-documents/submissions/{submission_id}"


def status_label(status: str) -> str:
    return _(STATUSES.get(status, status))


# --- Sending ----------------------------------------------------------------------------------


def _roles(template: Template) -> list[str]:
    roles = [role.name for role in template.roles]
    used = {field.role for field in template.fields}
    return [role for role in roles if role in used] or roles[:1]


async def _send_context(
    template: Template, portal: Portal, identity: Identity, client_id: str, q: str
) -> dict[str, Any]:
    client = None
    matches: list[Any] = []
    if client_id:
        try:
            client = await portal.client(client_id)
        except ApiProblem as problem:
            if problem.status not in {404, 422}:
                raise
    elif q:
        matches = list((await portal.clients(q=q[:200], limit=10)).items)
    me = await identity.me()
    return {
        "document": template,
        "roles": _roles(template),
        "client": client,
        "matches": matches,
        "q": q,
        "me": me,
    }


@router.get("/smart-documents/{template_id}/send")
async def send_page(
    request: Request,
    _staff: Staff,
    signing: Signing,
    portal: Portal,
    identity: Identity,
    template_id: str,
    client_id: str = "",
    q: str = "",
) -> Response:
    template = await signing.template(parse_id(template_id))
    context = await _send_context(template, portal, identity, client_id, q.strip())
    values: dict[str, Any] = {}
    for index in range(len(context["roles"])):
        client = context["client"]
        if client is not None and client.contacts and index == 0:
            values[f"role{index}"] = f"contact:{client.contacts[0].id}"
        else:
            values[f"role{index}"] = "me" if index > 0 or client is None else "other"
        values[f"channel{index}"] = "email"
    values["identity_check"] = template.identity_check
    return await render(
        request, "signing/send.html", section=SECTION, form=FormState(values=values), **context
    )


def _recipient(form: dict[str, str], index: int, role: str, me: Any, client: Any) -> dict[str, Any]:
    choice = form.get(f"role{index}", "")
    recipient: dict[str, Any] = {"role": role, "channel": form.get(f"channel{index}") or "email"}
    if choice.startswith("contact:") and client is not None:
        recipient["contact_id"] = choice.removeprefix("contact:")
    elif choice == "me":
        recipient |= {
            "staff_user_id": me.id,
            "name": me.full_name,
            "email": me.email,
            "phone": me.phone,
            "locale": me.locale,
        }
    else:
        recipient |= {
            "name": form.get(f"name{index}", "").strip() or None,
            "email": form.get(f"email{index}", "").strip() or None,
            "phone": form.get(f"phone{index}", "").strip() or None,
        }
    return recipient


def _expiry(text: str) -> str | None:
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        return None
    return datetime.combine(day, time(23, 59, 59), tzinfo=UTC).isoformat()


@router.post("/smart-documents/{template_id}/send")
async def send(
    request: Request,
    staff: Staff,
    signing: Signing,
    portal: Portal,
    identity: Identity,
    template_id: str,
) -> Response:
    template = await signing.template(parse_id(template_id))
    posted = {key: str(value) for key, value in (await request.form()).items()}
    client_id = posted.get("client_id", "")
    context = await _send_context(template, portal, identity, client_id, "")
    roles, client, me = context["roles"], context["client"], context["me"]
    posted.setdefault("identity_check", "none")
    for index in range(len(roles)):
        # Every input the form shows, so that an error lands beside the one it names.
        for part in ("role", "channel", "name", "email", "phone"):
            posted.setdefault(f"{part}{index}", "")
    body: dict[str, Any] = {
        "template_id": str(template.id),
        "client_id": client.id if client is not None else None,
        "recipients": [
            _recipient(posted, index, role, me, client) for index, role in enumerate(roles)
        ],
        "message": posted.get("message", "").strip() or None,
        "expires_at": _expiry(posted.get("expires_on", "")),
        "identity_check": posted.get("identity_check") or "none",
    }
    if posted.get("expires_on", "").strip() and body["expires_at"] is None:
        form = FormState(values=posted, errors={"expires_on": _("Enter a date.")})
        return await render(
            request, "signing/send.html", 422, section=SECTION, form=form, **context
        )
    try:
        submission = await signing.send(body)
    except ApiProblem as problem:
        raise_unless_invalid_input(problem)
        aliases = {"expires_at": "expires_on", "message": "message"}
        for index in range(len(roles)):
            for part in ("contact_id", "name", "email", "phone", "role", "kind"):
                target = "role" if part in ("contact_id", "role", "kind") else part
                aliases[f"recipients.{index}.{part}"] = f"{target}{index}"
        form = form_from_problem(problem, posted, aliases)
        return await render(
            request, "signing/send.html", 422, section=SECTION, form=form, **context
        )
    staff.notify(_("The document is sent."))
    return see_other(submission_url(submission.id))


# --- Following ----------------------------------------------------------------------------------


def _day(text: str) -> datetime | None:
    try:
        return datetime.combine(date.fromisoformat(text), time(), tzinfo=UTC)
    except ValueError:
        return None


@router.get("/smart-documents/submissions")
async def submissions_page(
    request: Request,
    _staff: Staff,
    signing: Signing,
    status: str = "",
    template_id: str = "",
    client_id: str = "",
    sent_from: str = "",
    sent_to: str = "",
    offset: str = "0",
) -> Response:
    filters = {
        "status": status if status in STATUSES else "",
        "template_id": template_id if _uuid(template_id) else "",
        "client_id": client_id if _uuid(client_id) else "",
        "sent_from": sent_from if _day(sent_from) else "",
        "sent_to": sent_to if _day(sent_to) else "",
    }
    until = _day(filters["sent_to"])
    page = await signing.submissions(
        status=filters["status"] or None,
        template_id=_uuid(filters["template_id"]),
        client_id=_uuid(filters["client_id"]),
        sent_after=_day(filters["sent_from"]),
        sent_before=until.replace(hour=23, minute=59, second=59) if until else None,
        limit=PAGE_SIZE,
        offset=min(int(offset) if offset.isdigit() else 0, 1_000_000),
    )
    templates = (await signing.templates(limit=100)).items
    return await render(
        request,
        "signing/submissions.html",
        section=SECTION,
        page=page,
        filters=filters,
        query={key: value for key, value in filters.items() if value},
        statuses=STATUSES,
        templates=templates,
        badges=BADGES,
    )


CLIENT_PANEL_SIZE = 5


@router.get("/smart-documents/clients/{client_id}/panel")
async def client_panel(
    request: Request, _staff: Staff, signing: Signing, client_id: str
) -> Response:
    """The card of a client's page: the documents last sent to them, with their status."""
    wanted = _uuid(client_id)
    if wanted is None:
        raise PageNotFound
    page = await signing.submissions(client_id=wanted, limit=CLIENT_PANEL_SIZE)
    return await render(
        request,
        "signing/client_panel.html",
        client_id=wanted,
        page=page,
        statuses=STATUSES,
        badges=BADGES,
    )


def _uuid(text: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(text)
    except ValueError:
        return None


async def _submission(signing: Signing, submission_id: str) -> Submission:
    found = _uuid(submission_id)
    if found is None:
        raise PageNotFound
    return await signing.submission(found)


@router.get("/smart-documents/submissions/{submission_id}")
async def submission_page(
    request: Request, _staff: Staff, signing: Signing, submission_id: str
) -> Response:
    submission = await _submission(signing, submission_id)
    return await render(
        request,
        "signing/submission.html",
        section=SECTION,
        submission=submission,
        statuses=STATUSES,
        submitter_statuses=SUBMITTER_STATUSES,
        kinds=KINDS,
        actions=ACTIONS,
        badges=BADGES,
    )


DONE_MESSAGES = {
    "remind": N_("A reminder is on its way."),
    "cancel": N_("The submission is cancelled: its links no longer work."),
    "complete": N_("The completed document is being prepared again."),
}


@router.post("/smart-documents/submissions/{submission_id}/{action}")
async def submission_action(
    staff: Staff, signing: Signing, submission_id: str, action: str
) -> Response:
    if action not in DONE_MESSAGES:
        raise PageNotFound
    submission = await _submission(signing, submission_id)
    try:
        await signing.submission_action(submission.id, action)
    except ApiProblem as problem:
        if problem.status != 409:
            raise
        staff.notify(problem.detail or problem.title)
        return see_other(submission_url(submission.id))
    staff.notify(_(DONE_MESSAGES[action]))
    return see_other(submission_url(submission.id))


@router.get("/smart-documents/submissions/{submission_id}/{which}.pdf")
async def submission_file(
    _staff: Staff, signing: Signing, submission_id: str, which: str
) -> Response:
    if which not in ("completed", "certificate"):
        raise PageNotFound
    submission = await _submission(signing, submission_id)
    content = await signing.completed_file(submission.id, f"{which}.pdf")
    name = (
        submission.document_name
        if which == "completed"
        else f"{submission.document_name} - {_('certificate')}"
    )
    return pdf_attachment(content, name)
