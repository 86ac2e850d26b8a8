"""Settings: my profile and notifications (every staff member); the organisation, staff
users, API keys and email templates (admins). One sub-navigation is shared by every page.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from collections.abc import Mapping
from functools import cache
from typing import Annotated, Any

from babel import Locale
from fastapi import File, Request, UploadFile
from fastapi import Form as Field
from fastapi.responses import HTMLResponse, Response

from portico.gateway.apis.base import ApiProblem
from portico.gateway.pages.home import DEFAULT_BRAND
from portico.gateway.pages.inbox import framed_email
from portico.gateway.web.context import Admin, PageNotFound, Services, Staff, gateway_of
from portico.gateway.web.forms import Form, form_from_problem
from portico.gateway.web.i18n import (
    LOCALES,
    _,
    current_locale,
    language_name,
    reset_locale,
    use_locale,
)
from portico.gateway.web.routing import page_router, see_other
from portico.gateway.web.security import FRAMED_EMAIL_HEADERS
from portico.gateway.web.templating import environment, render

router = page_router()

MAX_LOGO_BYTES = 2 * 1024 * 1024
LOGO_TYPES = ("image/png", "image/jpeg", "image/webp")
CHANNELS = ("email", "sms", "in_app")
# The scopes the portal grants an API key (its ApiKeyIn schema), in the order shown.
SCOPES = (
    "clients:read",
    "clients:write",
    "documents:read",
    "documents:write",
    "signing:read",
    "signing:write",
    "quotes:read",
    "quotes:write",
    "events:read",
)
KIND = re.compile(r"[a-z][a-z0-9_]{0,59}")
TEMPLATE_LINE = re.compile(r"line (\d+): (.*)", re.DOTALL)
TEMPLATE_LINK = re.compile(r"must contain (\{\{ \w+ \}\}): the link")
# Territories babel names that are not countries.
NOT_COUNTRIES = frozenset({"EU", "EZ", "QO", "UN", "XA", "XB", "ZZ"})


# --- Shared -------------------------------------------------------------------------------


async def _page(
    request: Request, page: str, tab: str, status_code: int = 200, **context: Any
) -> HTMLResponse:
    return await render(
        request, f"settings/{page}", status_code, section="settings", tab=tab, **context
    )


def _known(message: str) -> str:
    """Our words for the service messages a person may meet in these forms."""
    return {
        "is not your current password": _("This is not your current password."),
        "is already the email of a staff user": _("A staff user already has this email."),
        "must be a PNG, JPEG or WebP image": _("Choose a PNG, JPEG or WebP image."),
        "must be at most 2 MiB": _("This image is larger than 2 MiB."),
        "must be at most 4096 × 4096 pixels": _("This image is larger than 4096 × 4096 pixels."),
    }.get(message, message)


def _problem_form(
    problem: ApiProblem, values: Mapping[str, Any], aliases: Mapping[str, str] | None = None
) -> Form:
    form = form_from_problem(problem, values, aliases)
    form.errors = {name: _known(message) for name, message in form.errors.items()}
    return form


def _form_problem(problem: ApiProblem) -> None:
    """Only invalid input is shown beside the form; anything else is the error page's."""
    if problem.status not in {409, 413, 415, 422}:
        raise problem


def _uuid(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise PageNotFound from None


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
    }


def _label(kind: Mapping[str, Any], labels: Mapping[str, str]) -> str:
    return labels.get(str(kind["kind"]), str(kind["description"]))


def _languages() -> list[tuple[str, str]]:
    return [(code, language_name(code).capitalize()) for code in LOCALES]


@cache
def _countries(locale: str) -> list[tuple[str, str]]:
    names = Locale.parse(locale).territories
    countries = [
        (code, name)
        for code, name in names.items()
        if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES
    ]
    return sorted(countries, key=lambda country: _sort_key(country[1]))


def _sort_key(name: str) -> str:
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


# --- Home ---------------------------------------------------------------------------------


@router.get("/settings")
async def settings_home(request: Request, _staff: Staff) -> Response:
    return await _page(request, "index.html", "")


# --- My profile ---------------------------------------------------------------------------


def _profile_values(me: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "first_name": me["first_name"],
        "last_name": me["last_name"],
        "phone": me["phone"] or "",
        "locale": me["locale"],
    }


def _password_values() -> dict[str, str]:
    return {"current_password": "", "new_password": "", "confirm_password": ""}


async def _profile_page(
    request: Request,
    me: Mapping[str, Any],
    *,
    form: Form | None = None,
    password_form: Form | None = None,
    status_code: int = 200,
) -> Response:
    return await _page(
        request,
        "profile.html",
        "profile",
        status_code,
        me=me,
        form=form or Form(values=_profile_values(me)),
        password_form=password_form or Form(),
        languages=_languages(),
    )


@router.get("/settings/profile")
async def profile_page(request: Request, _staff: Staff, apis: Services) -> Response:
    return await _profile_page(request, await apis.portal.me())


@router.post("/settings/profile")
async def save_profile(
    request: Request,
    session: Staff,
    apis: Services,
    first_name: Annotated[str, Field()] = "",
    last_name: Annotated[str, Field()] = "",
    phone: Annotated[str, Field()] = "",
    locale: Annotated[str, Field()] = "",
) -> Response:
    values = {"first_name": first_name, "last_name": last_name, "phone": phone, "locale": locale}
    try:
        me = await apis.portal.update_me(
            first_name=first_name,
            last_name=last_name,
            phone=phone.strip() or None,
            locale=locale,
        )
    except ApiProblem as problem:
        _form_problem(problem)
        form = _problem_form(problem, values)
        return await _profile_page(request, await apis.portal.me(), form=form, status_code=422)
    session.name = me["first_name"]
    # The pages follow the chosen language at once (the emails too: it is the profile's).
    session.locale = me["locale"]
    session.changed = True
    chosen = use_locale(me["locale"])
    try:
        session.notify(_("Your profile is saved."))
    finally:
        reset_locale(chosen)
    return see_other("/settings/profile")


@router.post("/settings/profile/password")
async def change_password(
    request: Request,
    session: Staff,
    apis: Services,
    current_password: Annotated[str, Field()] = "",
    new_password: Annotated[str, Field()] = "",
    confirm_password: Annotated[str, Field()] = "",
) -> Response:
    if new_password != confirm_password:
        form = Form(errors={"confirm_password": _("The two new passwords differ.")})
        return await _profile_page(
            request, await apis.portal.me(), password_form=form, status_code=422
        )
    try:
        await apis.portal.change_my_password(current_password, new_password)
    except ApiProblem as problem:
        _form_problem(problem)
        form = _problem_form(problem, _password_values())
        return await _profile_page(
            request, await apis.portal.me(), password_form=form, status_code=422
        )
    session.notify(_("Your password is changed."))
    return see_other("/settings/profile")


# --- My notifications ---------------------------------------------------------------------


@router.get("/settings/notifications")
async def notifications_page(request: Request, _staff: Staff, apis: Services) -> Response:
    preferences = await apis.notifier.preferences()
    me = await apis.portal.me()
    labels = kind_labels()
    rows = [(preference, _label(preference, labels)) for preference in preferences]
    return await _page(request, "notifications.html", "notifications", rows=rows, me=me)


@router.post("/settings/notifications")
async def save_notifications(request: Request, session: Staff, apis: Services) -> Response:
    """One form for every kind: only the kinds whose channels changed are saved."""
    posted = await request.form()
    for preference in await apis.notifier.preferences():
        kind = str(preference["kind"])
        chosen = {channel: f"{kind}.{channel}" in posted for channel in CHANNELS}
        if any(chosen[channel] != bool(preference[channel]) for channel in CHANNELS):
            await apis.notifier.set_preference(kind, **chosen)
    session.notify(_("Your notification preferences are saved."))
    return see_other("/settings/notifications")


# --- Organisation (admins) ----------------------------------------------------------------


def _organisation_values(organisation: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": organisation["name"],
        "brand_colour": organisation["brand_colour"] or DEFAULT_BRAND,
        "sender_email": organisation["sender_email"] or "",
        "sender_name": organisation["sender_name"] or "",
        "default_locale": organisation["default_locale"],
        "default_country": organisation["default_country"],
    }


async def _organisation_page(
    request: Request,
    organisation: Mapping[str, Any],
    *,
    form: Form | None = None,
    logo_form: Form | None = None,
    status_code: int = 200,
) -> Response:
    form = form or Form(values=_organisation_values(organisation))
    countries = _countries(current_locale())
    country = str(form.value("default_country"))
    if country and country not in dict(countries):
        countries = [(country, country), *countries]
    return await _page(
        request,
        "organisation.html",
        "organisation",
        status_code,
        current=organisation,
        form=form,
        logo_form=logo_form or Form(),
        languages=_languages(),
        countries=countries,
        logo_types=", ".join(LOGO_TYPES),
    )


@router.get("/settings/organisation")
async def organisation_page(request: Request, _admin: Admin, apis: Services) -> Response:
    return await _organisation_page(request, await apis.portal.organisation())


@router.post("/settings/organisation")
async def save_organisation(
    request: Request,
    session: Admin,
    apis: Services,
    name: Annotated[str, Field()] = "",
    brand_colour: Annotated[str, Field()] = "",
    sender_email: Annotated[str, Field()] = "",
    sender_name: Annotated[str, Field()] = "",
    default_locale: Annotated[str, Field()] = "",
    default_country: Annotated[str, Field()] = "",
) -> Response:
    values = {
        "name": name,
        "brand_colour": brand_colour,
        "sender_email": sender_email,
        "sender_name": sender_name,
        "default_locale": default_locale,
        "default_country": default_country,
    }
    try:
        await apis.portal.update_organisation(
            name=name,
            brand_colour=brand_colour.strip() or None,
            sender_email=sender_email.strip() or None,
            sender_name=sender_name.strip() or None,
            default_locale=default_locale,
            default_country=default_country,
        )
    except ApiProblem as problem:
        _form_problem(problem)
        form = _problem_form(problem, values)
        organisation = await apis.portal.organisation()
        return await _organisation_page(request, organisation, form=form, status_code=422)
    _branding_changed(request)
    session.notify(_("The organisation's settings are saved."))
    return see_other("/settings/organisation")


@router.post("/settings/organisation/logo")
async def upload_logo(
    request: Request,
    session: Admin,
    apis: Services,
    logo: Annotated[UploadFile | None, File()] = None,
) -> Response:
    error = None
    content = b""
    if logo is None or not logo.filename:
        error = _("Choose an image file.")
    elif logo.content_type not in LOGO_TYPES:
        error = _("Choose a PNG, JPEG or WebP image.")
    else:
        content = await logo.read(MAX_LOGO_BYTES + 1)
        if len(content) > MAX_LOGO_BYTES:
            error = _("This image is larger than 2 MiB.")
    if error is None and logo is not None:
        try:
            await apis.portal.upload_logo(
                logo.filename or "logo", content, logo.content_type or "application/octet-stream"
            )
        except ApiProblem as problem:
            _form_problem(problem)
            logo_form = _problem_form(problem, {"logo": ""}, {"file": "logo"})
            return await _organisation_page(
                request, await apis.portal.organisation(), logo_form=logo_form, status_code=422
            )
    if error is not None:
        logo_form = Form(errors={"logo": error})
        return await _organisation_page(
            request, await apis.portal.organisation(), logo_form=logo_form, status_code=422
        )
    _branding_changed(request)
    session.notify(_("The logo is saved."))
    return see_other("/settings/organisation")


def _branding_changed(request: Request) -> None:
    """The layout shows the new name, colour and logo on the very next page."""
    gateway_of(request).branding = None


# --- Staff users (admins) -----------------------------------------------------------------


def _roles() -> list[tuple[str, str]]:
    return [("staff", _("Staff")), ("admin", _("Administrator"))]


async def _staff_page(
    request: Request, apis: Services, *, form: Form | None = None, status_code: int = 200
) -> Response:
    users = await apis.portal.staff_users(include_inactive=True)
    users.sort(key=lambda user: not user["active"])
    return await _page(
        request,
        "staff.html",
        "staff",
        status_code,
        users=users,
        roles=_roles(),
        form=form or Form(),
    )


@router.get("/settings/staff")
async def staff_page(request: Request, _admin: Admin, apis: Services) -> Response:
    return await _staff_page(request, apis)


@router.get("/settings/staff/new")
async def new_staff_page(request: Request, session: Admin) -> Response:
    values = {"role": "staff", "locale": session.locale or LOCALES[0]}
    return await _new_staff(request, Form(values=values))


async def _new_staff(request: Request, form: Form, status_code: int = 200) -> Response:
    return await _page(
        request,
        "staff_new.html",
        "staff",
        status_code,
        form=form,
        roles=_roles(),
        languages=_languages(),
    )


@router.post("/settings/staff")
async def create_staff_user(
    request: Request,
    session: Admin,
    apis: Services,
    email: Annotated[str, Field()] = "",
    first_name: Annotated[str, Field()] = "",
    last_name: Annotated[str, Field()] = "",
    phone: Annotated[str, Field()] = "",
    role: Annotated[str, Field()] = "staff",
    locale: Annotated[str, Field()] = "en",
) -> Response:
    values = {
        "email": email,
        "first_name": first_name,
        "last_name": last_name,
        "phone": phone,
        "role": role,
        "locale": locale,
    }
    try:
        # Without a password: the portal emails them a link to choose theirs.
        user = await apis.portal.create_staff_user(
            email=email.strip(),
            first_name=first_name,
            last_name=last_name,
            phone=phone.strip() or None,
            role=role,
            locale=locale,
        )
    except ApiProblem as problem:
        _form_problem(problem)
        return await _new_staff(request, _problem_form(problem, values), 422)
    name = f"{user['first_name']} {user['last_name']}"
    session.notify(
        _("%(name)s is added: an email invites them to choose their password.") % {"name": name}
    )
    return see_other("/settings/staff")


async def _update_staff(
    request: Request, apis: Services, user_id: str, **changes: Any
) -> Response | None:
    """Changes a staff user; the list again with the reason when the portal refuses."""
    try:
        await apis.portal.update_staff_user(_uuid(user_id), **changes)
    except ApiProblem as problem:
        _form_problem(problem)
        if problem.status == 409:
            message = _("Portico needs at least one active administrator: appoint another first.")
        else:
            message = problem.detail or problem.title
        return await _staff_page(request, apis, form=Form(message=message), status_code=422)
    return None


@router.post("/settings/staff/{user_id}/role")
async def change_role(
    request: Request,
    user_id: str,
    session: Admin,
    apis: Services,
    role: Annotated[str, Field()] = "",
) -> Response:
    refused = await _update_staff(request, apis, user_id, role=role)
    if refused is not None:
        return refused
    session.notify(_("The role is changed."))
    return see_other("/settings/staff")


@router.post("/settings/staff/{user_id}/deactivate")
async def deactivate(request: Request, user_id: str, session: Admin, apis: Services) -> Response:
    refused = await _update_staff(request, apis, user_id, active=False)
    if refused is not None:
        return refused
    session.notify(_("The user is deactivated: they can no longer log in."))
    return see_other("/settings/staff")


@router.post("/settings/staff/{user_id}/reactivate")
async def reactivate(request: Request, user_id: str, session: Admin, apis: Services) -> Response:
    refused = await _update_staff(request, apis, user_id, active=True)
    if refused is not None:
        return refused
    session.notify(_("The user is active again."))
    return see_other("/settings/staff")


# --- API keys (admins) --------------------------------------------------------------------


def _scope_labels() -> dict[str, str]:
    return {
        "clients:read": _("Read clients and their contacts"),
        "clients:write": _("Create and change clients and their contacts"),
        "documents:read": _("Read documents"),
        "documents:write": _("Upload and change documents"),
        "signing:read": _("Read signature requests"),
        "signing:write": _("Send documents to sign"),
        "quotes:read": _("Read quotes and invoices"),
        "quotes:write": _("Create and send quotes and invoices"),
        "events:read": _("Read the events feed"),
    }


@router.get("/settings/api-keys")
async def api_keys_page(request: Request, _admin: Admin, apis: Services) -> Response:
    keys = await apis.portal.api_keys()
    keys.sort(key=lambda key: key["revoked_at"] is not None)
    return await _page(request, "api_keys.html", "api-keys", keys=keys)


async def _new_key(request: Request, form: Form, status_code: int = 200) -> Response:
    return await _page(
        request,
        "api_key_new.html",
        "api-keys",
        status_code,
        form=form,
        scopes=SCOPES,
        scope_labels=_scope_labels(),
    )


@router.get("/settings/api-keys/new")
async def new_api_key_page(request: Request, _admin: Admin) -> Response:
    return await _new_key(request, Form(values={"name": "", "scopes": []}))


@router.post("/settings/api-keys")
async def create_api_key(
    request: Request,
    _admin: Admin,
    apis: Services,
    name: Annotated[str, Field()] = "",
    scopes: Annotated[list[str] | None, Field()] = None,
) -> Response:
    chosen = [scope for scope in SCOPES if scope in (scopes or [])]
    values = {"name": name, "scopes": chosen}
    if not chosen:
        form = Form(values=values, errors={"scopes": _("Choose at least one permission.")})
        if not name.strip():
            form.errors["name"] = _("This field is required.")
        return await _new_key(request, form, 422)
    try:
        created = await apis.portal.create_api_key(name, chosen)
    except ApiProblem as problem:
        _form_problem(problem)
        return await _new_key(request, _problem_form(problem, values), 422)
    # The secret is in this answer only: never in a URL, a toast or the session.
    return await _page(
        request, "api_key_created.html", "api-keys", key=created, scope_labels=_scope_labels()
    )


@router.post("/settings/api-keys/{key_id}/revoke")
async def revoke_api_key(key_id: str, session: Admin, apis: Services) -> Response:
    await apis.portal.revoke_api_key(_uuid(key_id))
    session.notify(_("The API key is revoked: it no longer works."))
    return see_other("/settings/api-keys")


# --- Email templates (admins) -------------------------------------------------------------


def _template_address(kind: str, locale: str) -> str:
    if not KIND.fullmatch(kind) or locale not in LOCALES:
        raise PageNotFound
    return f"/settings/templates/{kind}/{locale}"


def _template_values(template: Mapping[str, Any]) -> dict[str, Any]:
    values = {part: template[part] for part in ("subject", "html", "text")}
    if template.get("sms") is not None:
        values["sms"] = template["sms"]
    return values


def _template_parts(
    subject: str, html: str, text: str, sms: str | None
) -> tuple[dict[str, Any], dict[str, Any]]:
    """(what the form shows again, what the notifier is sent)."""
    values: dict[str, Any] = {"subject": subject, "html": html, "text": text}
    if sms is not None:
        values["sms"] = sms
    parts = {**values, "sms": (sms or "").strip() or None}
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


def _template_form(problem: ApiProblem, values: Mapping[str, Any]) -> Form:
    form = form_from_problem(problem, values)
    form.errors = {name: _template_error(message) for name, message in form.errors.items()}
    if form.errors and form.message:
        # An error on a part the form does not show (the SMS of a kind without one).
        form.message = _template_error(form.message)
    return form


@router.get("/settings/templates")
async def templates_page(request: Request, _admin: Admin, apis: Services) -> Response:
    labels = kind_labels()
    kinds = [(kind, _label(kind, labels)) for kind in await apis.notifier.message_kinds()]
    return await _page(request, "templates.html", "templates", kinds=kinds, languages=_languages())


async def _template_page(
    request: Request,
    apis: Services,
    kind: str,
    locale: str,
    *,
    form: Form | None = None,
    status_code: int = 200,
) -> Response:
    template = await apis.notifier.template(kind, locale)
    labels = kind_labels()
    return await _page(
        request,
        "template_edit.html",
        "templates",
        status_code,
        source=template,
        label=labels.get(kind, kind),
        form=form or Form(values=_template_values(template)),
        address=_template_address(kind, locale),
        languages=_languages(),
    )


@router.get("/settings/templates/{kind}/{locale}")
async def template_page(
    request: Request, kind: str, locale: str, _admin: Admin, apis: Services
) -> Response:
    _template_address(kind, locale)
    return await _template_page(request, apis, kind, locale)


@router.post("/settings/templates/{kind}/{locale}")
async def save_template(
    request: Request,
    kind: str,
    locale: str,
    session: Admin,
    apis: Services,
    subject: Annotated[str, Field()] = "",
    html: Annotated[str, Field()] = "",
    text: Annotated[str, Field()] = "",
    sms: Annotated[str | None, Field()] = None,
) -> Response:
    address = _template_address(kind, locale)
    values, parts = _template_parts(subject, html, text, sms)
    try:
        await apis.notifier.save_template(kind, locale, **parts)
    except ApiProblem as problem:
        _form_problem(problem)
        form = _template_form(problem, values)
        return await _template_page(request, apis, kind, locale, form=form, status_code=422)
    session.notify(_("The template is saved: the next messages use it."))
    return see_other(address)


@router.get("/settings/templates/{kind}/{locale}/preview")
async def preview_saved_template(kind: str, locale: str, _admin: Admin, apis: Services) -> Response:
    """The saved template with sample data: the edit page's frame shows it."""
    _template_address(kind, locale)
    preview = await apis.notifier.preview_template(kind, locale)
    return framed_email(preview["html"])


@router.post("/settings/templates/{kind}/{locale}/preview")
async def preview_draft(
    kind: str,
    locale: str,
    _admin: Admin,
    apis: Services,
    subject: Annotated[str, Field()] = "",
    html: Annotated[str, Field()] = "",
    text: Annotated[str, Field()] = "",
    sms: Annotated[str | None, Field()] = None,
) -> Response:
    """The template as typed, not saved, with sample data: posted into the preview frame."""
    _template_address(kind, locale)
    values, parts = _template_parts(subject, html, text, sms)
    try:
        preview = await apis.notifier.preview_template(kind, locale, parts)
    except ApiProblem as problem:
        _form_problem(problem)
        form = _template_form(problem, values)
        document = environment.get_template("settings/template_preview_errors.html").render(
            form=form, locale=locale
        )
        return HTMLResponse(document, status_code=422, headers=FRAMED_EMAIL_HEADERS)
    return framed_email(preview["html"])


@router.post("/settings/templates/{kind}/{locale}/reset")
async def reset_template(kind: str, locale: str, session: Admin, apis: Services) -> Response:
    address = _template_address(kind, locale)
    await apis.notifier.reset_template(kind, locale)
    session.notify(_("The template is back to the default."))
    return see_other(address)
