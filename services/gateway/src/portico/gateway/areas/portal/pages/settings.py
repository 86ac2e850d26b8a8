"""Settings the portal holds: my profile (every staff member); the organisation, staff users
and API keys (admins)."""

from __future__ import annotations

import unicodedata
import uuid
from collections.abc import Mapping
from functools import cache
from typing import Annotated, Any

from babel import Locale
from fastapi import File, Form, Request, UploadFile
from fastapi.responses import Response

from portico.gateway.apis.base import ApiProblem
from portico.gateway.areas.portal.api import Portal
from portico.gateway.areas.portal.models import Organisation, StaffUser
from portico.gateway.pages.brand import DEFAULT_BRAND
from portico.gateway.pages.settings import settings_page
from portico.gateway.web.context import Admin, PageNotFound, Staff, gateway_of
from portico.gateway.web.forms import FormState, form_from_problem, raise_unless_invalid_input
from portico.gateway.web.i18n import (
    LOCALES,
    _,
    current_locale,
    language_choices,
    reset_locale,
    use_locale,
)
from portico.gateway.web.routing import page_router, see_other

router = page_router()

MAX_LOGO_BYTES = 2 * 1024 * 1024
LOGO_TYPES = ("image/png", "image/jpeg", "image/webp")
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
# Territories babel names that are not countries.
NOT_COUNTRIES = frozenset({"EU", "EZ", "QO", "UN", "XA", "XB", "ZZ"})


# --- Shared -------------------------------------------------------------------------------


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
) -> FormState:
    form = form_from_problem(problem, values, aliases)
    form.errors = {name: _known(message) for name, message in form.errors.items()}
    return form


def _uuid(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise PageNotFound from None


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


# --- My profile ---------------------------------------------------------------------------


def _profile_values(me: StaffUser) -> dict[str, str]:
    return {
        "first_name": me.first_name,
        "last_name": me.last_name,
        "phone": me.phone or "",
        "locale": me.locale,
    }


def _password_values() -> dict[str, str]:
    return {"current_password": "", "new_password": "", "confirm_password": ""}


async def _profile_page(
    request: Request,
    me: StaffUser,
    *,
    form: FormState | None = None,
    password_form: FormState | None = None,
    status_code: int = 200,
) -> Response:
    return await settings_page(
        request,
        "portal/settings/profile.html",
        "profile",
        status_code,
        me=me,
        form=form or FormState(values=_profile_values(me)),
        password_form=password_form or FormState(),
        languages=language_choices(),
    )


@router.get("/settings/profile")
async def profile_page(request: Request, _staff: Staff, portal: Portal) -> Response:
    return await _profile_page(request, await portal.me())


@router.post("/settings/profile")
async def save_profile(
    request: Request,
    session: Staff,
    portal: Portal,
    first_name: Annotated[str, Form()] = "",
    last_name: Annotated[str, Form()] = "",
    phone: Annotated[str, Form()] = "",
    locale: Annotated[str, Form()] = "",
) -> Response:
    values = {"first_name": first_name, "last_name": last_name, "phone": phone, "locale": locale}
    try:
        me = await portal.update_me(
            first_name=first_name,
            last_name=last_name,
            phone=phone.strip() or None,
            locale=locale,
        )
    except ApiProblem as problem:
        raise_unless_invalid_input(problem)
        form = _problem_form(problem, values)
        return await _profile_page(request, await portal.me(), form=form, status_code=422)
    session.name = me.first_name
    # The pages follow the chosen language at once (the emails too: it is the profile's).
    session.locale = me.locale
    session.changed = True
    chosen = use_locale(me.locale)
    try:
        session.notify(_("Your profile is saved."))
    finally:
        reset_locale(chosen)
    return see_other("/settings/profile")


@router.post("/settings/profile/password")
async def change_password(
    request: Request,
    session: Staff,
    portal: Portal,
    current_password: Annotated[str, Form()] = "",
    new_password: Annotated[str, Form()] = "",
    confirm_password: Annotated[str, Form()] = "",
) -> Response:
    if new_password != confirm_password:
        form = FormState(errors={"confirm_password": _("The two new passwords differ.")})
        return await _profile_page(request, await portal.me(), password_form=form, status_code=422)
    try:
        await portal.change_my_password(current_password, new_password)
    except ApiProblem as problem:
        raise_unless_invalid_input(problem)
        form = _problem_form(problem, _password_values())
        return await _profile_page(request, await portal.me(), password_form=form, status_code=422)
    session.notify(_("Your password is changed."))
    return see_other("/settings/profile")


# --- Organisation (admins) ----------------------------------------------------------------


def _organisation_values(organisation: Organisation) -> dict[str, str]:
    return {
        "name": organisation.name,
        "brand_colour": organisation.brand_colour or DEFAULT_BRAND,
        "sender_email": organisation.sender_email or "",
        "sender_name": organisation.sender_name or "",
        "default_locale": organisation.default_locale,
        "default_country": organisation.default_country,
    }


async def _organisation_page(
    request: Request,
    organisation: Organisation,
    *,
    form: FormState | None = None,
    logo_form: FormState | None = None,
    status_code: int = 200,
) -> Response:
    form = form or FormState(values=_organisation_values(organisation))
    countries = _countries(current_locale())
    country = str(form.value("default_country"))
    if country and country not in dict(countries):
        countries = [(country, country), *countries]
    return await settings_page(
        request,
        "portal/settings/organisation.html",
        "organisation",
        status_code,
        current=organisation,
        form=form,
        logo_form=logo_form or FormState(),
        languages=language_choices(),
        countries=countries,
        logo_types=", ".join(LOGO_TYPES),
    )


@router.get("/settings/organisation")
async def organisation_page(request: Request, _admin: Admin, portal: Portal) -> Response:
    return await _organisation_page(request, await portal.organisation())


@router.post("/settings/organisation")
async def save_organisation(
    request: Request,
    session: Admin,
    portal: Portal,
    name: Annotated[str, Form()] = "",
    brand_colour: Annotated[str, Form()] = "",
    sender_email: Annotated[str, Form()] = "",
    sender_name: Annotated[str, Form()] = "",
    default_locale: Annotated[str, Form()] = "",
    default_country: Annotated[str, Form()] = "",
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
        await portal.update_organisation(
            name=name,
            brand_colour=brand_colour.strip() or None,
            sender_email=sender_email.strip() or None,
            sender_name=sender_name.strip() or None,
            default_locale=default_locale,
            default_country=default_country,
        )
    except ApiProblem as problem:
        raise_unless_invalid_input(problem)
        form = _problem_form(problem, values)
        organisation = await portal.organisation()
        return await _organisation_page(request, organisation, form=form, status_code=422)
    _branding_changed(request)
    session.notify(_("The organisation's settings are saved."))
    return see_other("/settings/organisation")


@router.post("/settings/organisation/logo")
async def upload_logo(
    request: Request,
    session: Admin,
    portal: Portal,
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
            await portal.upload_logo(
                logo.filename or "logo", content, logo.content_type or "application/octet-stream"
            )
        except ApiProblem as problem:
            raise_unless_invalid_input(problem)
            logo_form = _problem_form(problem, {"logo": ""}, {"file": "logo"})
            return await _organisation_page(
                request, await portal.organisation(), logo_form=logo_form, status_code=422
            )
    if error is not None:
        logo_form = FormState(errors={"logo": error})
        return await _organisation_page(
            request, await portal.organisation(), logo_form=logo_form, status_code=422
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
    request: Request, portal: Portal, *, form: FormState | None = None, status_code: int = 200
) -> Response:
    users = await portal.staff_users(include_inactive=True)
    users.sort(key=lambda user: not user.active)
    return await settings_page(
        request,
        "portal/settings/staff.html",
        "staff",
        status_code,
        users=users,
        roles=_roles(),
        form=form or FormState(),
    )


@router.get("/settings/staff")
async def staff_page(request: Request, _admin: Admin, portal: Portal) -> Response:
    return await _staff_page(request, portal)


@router.get("/settings/staff/new")
async def new_staff_page(request: Request, session: Admin) -> Response:
    values = {"role": "staff", "locale": session.locale or LOCALES[0]}
    return await _new_staff(request, FormState(values=values))


async def _new_staff(request: Request, form: FormState, status_code: int = 200) -> Response:
    return await settings_page(
        request,
        "portal/settings/staff_new.html",
        "staff",
        status_code,
        form=form,
        roles=_roles(),
        languages=language_choices(),
    )


@router.post("/settings/staff")
async def create_staff_user(
    request: Request,
    session: Admin,
    portal: Portal,
    email: Annotated[str, Form()] = "",
    first_name: Annotated[str, Form()] = "",
    last_name: Annotated[str, Form()] = "",
    phone: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "staff",
    locale: Annotated[str, Form()] = "en",
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
        user = await portal.create_staff_user(
            email=email.strip(),
            first_name=first_name,
            last_name=last_name,
            phone=phone.strip() or None,
            role=role,
            locale=locale,
        )
    except ApiProblem as problem:
        raise_unless_invalid_input(problem)
        return await _new_staff(request, _problem_form(problem, values), 422)
    name = user.full_name
    session.notify(
        _("%(name)s is added: an email invites them to choose their password.") % {"name": name}
    )
    return see_other("/settings/staff")


async def _update_staff(
    request: Request, portal: Portal, user_id: str, **changes: Any
) -> Response | None:
    """Changes a staff user; the list again with the reason when the portal refuses."""
    try:
        await portal.update_staff_user(_uuid(user_id), **changes)
    except ApiProblem as problem:
        raise_unless_invalid_input(problem)
        if problem.status == 409:
            message = _("Portico needs at least one active administrator: appoint another first.")
        else:
            message = problem.detail or problem.title
        return await _staff_page(request, portal, form=FormState(message=message), status_code=422)
    return None


@router.post("/settings/staff/{user_id}/role")
async def change_role(
    request: Request,
    user_id: str,
    session: Admin,
    portal: Portal,
    role: Annotated[str, Form()] = "",
) -> Response:
    refused = await _update_staff(request, portal, user_id, role=role)
    if refused is not None:
        return refused
    session.notify(_("The role is changed."))
    return see_other("/settings/staff")


@router.post("/settings/staff/{user_id}/deactivate")
async def deactivate(request: Request, user_id: str, session: Admin, portal: Portal) -> Response:
    refused = await _update_staff(request, portal, user_id, active=False)
    if refused is not None:
        return refused
    session.notify(_("The user is deactivated: they can no longer log in."))
    return see_other("/settings/staff")


@router.post("/settings/staff/{user_id}/reactivate")
async def reactivate(request: Request, user_id: str, session: Admin, portal: Portal) -> Response:
    refused = await _update_staff(request, portal, user_id, active=True)
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
async def api_keys_page(request: Request, _admin: Admin, portal: Portal) -> Response:
    keys = await portal.api_keys()
    keys.sort(key=lambda key: key.revoked_at is not None)
    return await settings_page(request, "portal/settings/api_keys.html", "api-keys", keys=keys)


async def _new_key(request: Request, form: FormState, status_code: int = 200) -> Response:
    return await settings_page(
        request,
        "portal/settings/api_key_new.html",
        "api-keys",
        status_code,
        form=form,
        scopes=SCOPES,
        scope_labels=_scope_labels(),
    )


@router.get("/settings/api-keys/new")
async def new_api_key_page(request: Request, _admin: Admin) -> Response:
    return await _new_key(request, FormState(values={"name": "", "scopes": []}))


@router.post("/settings/api-keys")
async def create_api_key(
    request: Request,
    _admin: Admin,
    portal: Portal,
    name: Annotated[str, Form()] = "",
    scopes: Annotated[list[str] | None, Form()] = None,
) -> Response:
    chosen = [scope for scope in SCOPES if scope in (scopes or [])]
    values = {"name": name, "scopes": chosen}
    if not chosen:
        form = FormState(values=values, errors={"scopes": _("Choose at least one permission.")})
        if not name.strip():
            form.errors["name"] = _("This field is required.")
        return await _new_key(request, form, 422)
    try:
        created = await portal.create_api_key(name, chosen)
    except ApiProblem as problem:
        raise_unless_invalid_input(problem)
        return await _new_key(request, _problem_form(problem, values), 422)
    # The secret is in this answer only: never in a URL, a toast or the session.
    return await settings_page(
        request,
        "portal/settings/api_key_created.html",
        "api-keys",
        key=created,
        scope_labels=_scope_labels(),
    )


@router.post("/settings/api-keys/{key_id}/revoke")
async def revoke_api_key(key_id: str, session: Admin, portal: Portal) -> Response:
    await portal.revoke_api_key(_uuid(key_id))
    session.notify(_("The API key is revoked: it no longer works."))
    return see_other("/settings/api-keys")
