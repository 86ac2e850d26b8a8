"""Settings the notifier holds: my notifications (every staff member) and the email
templates (admins)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import BaseModel, ConfigDict

from portico.gateway.apis.base import ApiProblem
from portico.gateway.areas.notifier.api import (
    MessageKind,
    MessageTemplate,
    Notifier,
    Preference,
    TemplateParts,
)
from portico.gateway.areas.notifier.pages.inbox import framed_email
from portico.gateway.pages.settings import settings_page
from portico.gateway.web.context import Admin, Identity, PageNotFound, Staff
from portico.gateway.web.forms import FormState, form_from_problem, raise_unless_invalid_input
from portico.gateway.web.i18n import (
    LOCALES,
    _,
    language_choices,
)
from portico.gateway.web.routing import page_router, see_other
from portico.gateway.web.security import FRAMED_EMAIL_HEADERS
from portico.gateway.web.templating import environment

router = page_router()

CHANNELS = ("email", "sms", "in_app")
KIND = re.compile(r"[a-z][a-z0-9_]{0,59}")
TEMPLATE_LINE = re.compile(r"line (\d+): (.*)", re.DOTALL)
TEMPLATE_LINK = re.compile(r"must contain (\{\{ \w+ \}\}): the link")


# --- Shared -------------------------------------------------------------------------------


def kind_labels() -> dict[str, str]:
    """Each kind of message in the reader's language (the notifier describes them in English)."""
    return {
        "client_invited": _("A contact is invited to the client portal"),
        "password_reset": _("Someone asked to reset their password"),
        "workspace_shared": _("A workspace is shared with a contact"),
        "message_posted": _("A new message in a workspace thread"),
        "task_assigned": _("A workspace task is assigned to someone"),
        "file_uploaded": _("A client adds a file to a workspace"),
        "task_completed": _("A client completes a workspace task"),
        "document_uploaded": _("A client uploads a requested document"),
        "documents_complete": _("Every document required from a client is uploaded and accepted"),
        "document_expiring": _(
            "A client's document expires soon: its contact is asked for a new one"
        ),
        "document_expiring_staff": _("A document of a client you are in charge of expires soon"),
        "document_reviewed": _("A document a contact uploaded is accepted or rejected"),
        "quote_sent": _("A quote is sent to a client's contact"),
        "quote_reminded": _("A reminder about a quote awaiting the client's answer"),
        "quote_viewed": _("The client opened a quote"),
        "quote_downloaded": _("The client downloaded a quote's PDF"),
        "quote_signed": _("The client signed a quote"),
        "quote_signed_copy": _("The signer of a quote receives the link to their signed copy"),
        "quote_declined": _("The client declined a quote"),
        "quote_feedback_posted": _("The client left a comment or a question on a quote"),
        "invoice_issued": _("An invoice is issued to a client's billing contact"),
        "submission_sent": _("A document is sent to someone to fill and sign"),
        "submission_reminded": _("A reminder to sign a document"),
        "submission_expiring": _("A last call before the link to sign a document expires"),
        "document_copy": _("A signer's copy of a completed document"),
        "document_completed": _("A document you sent is signed by everyone"),
        "submission_declined": _("Someone declines to sign a document you sent"),
        "submission_viewed": _("Someone opens a document you sent them to sign"),
        "submission_expired": _("A document you sent expires before it was signed"),
        "webhook_paused": _("A webhook is paused because its deliveries keep failing"),
    }


def _label(kind: Preference | MessageKind, labels: Mapping[str, str]) -> str:
    return labels.get(kind.kind, kind.description)


# --- My notifications ---------------------------------------------------------------------


@router.get("/settings/notifications")
async def notifications_page(
    request: Request, _staff: Staff, notifier: Notifier, identity: Identity
) -> Response:
    preferences = await notifier.preferences()
    me = await identity.me()
    labels = kind_labels()
    rows = [(preference, _label(preference, labels)) for preference in preferences]
    return await settings_page(
        request, "notifier/settings/notifications.html", "notifications", rows=rows, me=me
    )


class PreferencesForm(BaseModel):
    """A checkbox per kind and channel, named ``<kind>.<channel>``: the kinds come from the
    notifier, so they are the model's extras; only the ticked ones are posted."""

    model_config = ConfigDict(extra="allow")

    def ticked(self, kind: str, channel: str) -> bool:
        return f"{kind}.{channel}" in (self.model_extra or {})


@router.post("/settings/notifications")
async def save_notifications(
    session: Staff, notifier: Notifier, posted: Annotated[PreferencesForm, Form()]
) -> Response:
    """One form for every kind: only the kinds whose channels changed are saved."""
    for preference in await notifier.preferences():
        kind = preference.kind
        chosen = {channel: posted.ticked(kind, channel) for channel in CHANNELS}
        if any(chosen[channel] != getattr(preference, channel) for channel in CHANNELS):
            await notifier.set_preference(kind, **chosen)
    session.notify(_("Your notification preferences are saved."))
    return see_other("/settings/notifications")


# --- Email templates (admins) -------------------------------------------------------------


def _template_address(kind: str, locale: str) -> str:
    if not KIND.fullmatch(kind) or locale not in LOCALES:
        raise PageNotFound
    return f"/settings/templates/{kind}/{locale}"


def _template_values(template: MessageTemplate) -> dict[str, Any]:
    return template.model_dump(include={"subject", "html", "text", "sms"}, exclude_none=True)


def _template_parts(
    subject: str, html: str, text: str, sms: str | None
) -> tuple[dict[str, Any], TemplateParts]:
    """(what the form shows again, what the notifier is sent)."""
    values: dict[str, Any] = {"subject": subject, "html": html, "text": text}
    if sms is not None:
        values["sms"] = sms
    parts = TemplateParts(subject=subject, html=html, text=text, sms=(sms or "").strip() or None)
    return values, parts


def _template_error(message: str) -> str:
    """The check's message in the reader's language, with the line at fault."""
    linked = TEMPLATE_LINK.fullmatch(message)
    if linked:
        return _("Keep %(link)s: it is the link this message is for.") % {"link": linked[1]}
    lined = TEMPLATE_LINE.fullmatch(message)
    if lined:
        return _("Line %(line)s: %(error)s") % {"line": lined[1], "error": lined[2]}
    return message


def _template_form(problem: ApiProblem, values: Mapping[str, Any]) -> FormState:
    form = form_from_problem(problem, values)
    form.errors = {name: _template_error(message) for name, message in form.errors.items()}
    if form.errors and form.message:
        # An error on a part the form does not show (the SMS of a kind without one).
        form.message = _template_error(form.message)
    return form


@router.get("/settings/templates")
async def templates_page(request: Request, _admin: Admin, notifier: Notifier) -> Response:
    labels = kind_labels()
    kinds = [(kind, _label(kind, labels)) for kind in await notifier.message_kinds()]
    return await settings_page(
        request,
        "notifier/settings/templates.html",
        "templates",
        kinds=kinds,
        languages=language_choices(),
    )


async def _template_page(
    request: Request,
    notifier: Notifier,
    kind: str,
    locale: str,
    *,
    form: FormState | None = None,
    status_code: int = 200,
) -> Response:
    template = await notifier.template(kind, locale)
    labels = kind_labels()
    return await settings_page(
        request,
        "notifier/settings/template_edit.html",
        "templates",
        status_code,
        source=template,
        label=labels.get(kind, kind),
        form=form or FormState(values=_template_values(template)),
        address=_template_address(kind, locale),
        languages=language_choices(),
    )


@router.get("/settings/templates/{kind}/{locale}")
async def template_page(
    request: Request, kind: str, locale: str, _admin: Admin, notifier: Notifier
) -> Response:
    _template_address(kind, locale)
    return await _template_page(request, notifier, kind, locale)


@router.post("/settings/templates/{kind}/{locale}")
async def save_template(
    request: Request,
    kind: str,
    locale: str,
    session: Admin,
    notifier: Notifier,
    subject: Annotated[str, Form()] = "",
    html: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
    sms: Annotated[str | None, Form()] = None,
) -> Response:
    address = _template_address(kind, locale)
    values, parts = _template_parts(subject, html, text, sms)
    try:
        await notifier.save_template(kind, locale, parts)
    except ApiProblem as problem:
        raise_unless_invalid_input(problem)
        form = _template_form(problem, values)
        return await _template_page(request, notifier, kind, locale, form=form, status_code=422)
    session.notify(_("The template is saved: the next messages use it."))
    return see_other(address)


@router.get("/settings/templates/{kind}/{locale}/preview")
async def preview_saved_template(
    kind: str, locale: str, _admin: Admin, notifier: Notifier
) -> Response:
    """The saved template with sample data: the edit page's frame shows it."""
    _template_address(kind, locale)
    preview = await notifier.preview_template(kind, locale)
    return framed_email(preview.html)


@router.post("/settings/templates/{kind}/{locale}/preview")
async def preview_draft(
    kind: str,
    locale: str,
    _admin: Admin,
    notifier: Notifier,
    subject: Annotated[str, Form()] = "",
    html: Annotated[str, Form()] = "",
    text: Annotated[str, Form()] = "",
    sms: Annotated[str | None, Form()] = None,
) -> Response:
    """The template as typed, not saved, with sample data: posted into the preview frame."""
    _template_address(kind, locale)
    values, parts = _template_parts(subject, html, text, sms)
    try:
        preview = await notifier.preview_template(kind, locale, parts)
    except ApiProblem as problem:
        raise_unless_invalid_input(problem)
        form = _template_form(problem, values)
        document = environment.get_template(
            "notifier/settings/template_preview_errors.html"
        ).render(form=form, locale=locale)
        return HTMLResponse(document, status_code=422, headers=FRAMED_EMAIL_HEADERS)
    return framed_email(preview.html)


@router.post("/settings/templates/{kind}/{locale}/reset")
async def reset_template(kind: str, locale: str, session: Admin, notifier: Notifier) -> Response:
    address = _template_address(kind, locale)
    await notifier.reset_template(kind, locale)
    session.notify(_("The template is back to the default."))
    return see_other(address)
