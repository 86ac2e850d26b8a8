"""The staff's clients: the list, creating and inviting, a client's page, its details.

Everything goes through the portal's API as the staff member; whatever it refuses comes
back beside the inputs at fault (``form_from_problem``), whatever it does not find is the
404 page.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Annotated, Any

from fastapi import Form, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, JsonValue

from portico.gateway.apis.base import ApiProblem
from portico.gateway.areas.documents.api import STATES
from portico.gateway.areas.documents.client_list import asked_documents
from portico.gateway.areas.documents.presenting import state_options
from portico.gateway.areas.portal.api import Portal, PortalApi
from portico.gateway.areas.portal.models import (
    Address,
    AttributeDefinition,
    Change,
    Client,
    Contact,
    StaffUser,
)
from portico.gateway.web.context import PageNotFound, Staff
from portico.gateway.web.forms import FormState, Text, form_from_problem
from portico.gateway.web.i18n import (
    LOCALES,
    _,
    current_locale,
    format_number,
    format_when,
    language_name,
)
from portico.gateway.web.routing import page_router, see_other
from portico.gateway.web.templating import render

router = page_router()

PAGE_SIZE = 25
PORTAL_STATUSES = ("none", "invited", "expired", "active")
KINDS = ("company", "individual")
ADDRESS_PARTS = ("line1", "line2", "postal_code", "city", "region", "country")
CONTACT_FIELDS = ("first_name", "last_name", "email", "phone", "role", "locale")
# The history shows at most this many characters of a value (notes can be long).
LONGEST_VALUE = 160

# Service fields (``contacts.0.email``) → the inputs that show their errors.
NEW_CLIENT_ALIASES = {
    "assigned_staff_id": "assignee",
    **{f"contacts.0.{name}": name for name in CONTACT_FIELDS},
    **{f"tags.{index}": "tags" for index in range(50)},
}
EDIT_ALIASES = {
    "assigned_staff_id": "assignee",
    **{f"address.{part}": f"address_{part}" for part in ADDRESS_PARTS},
    **{f"tags.{index}": "tags" for index in range(50)},
}
WORKSPACE_ALIASES = {
    "name": "workspace_name",
    **{f"contact_ids.{index}": "contact_ids" for index in range(200)},
}


# --- The list -------------------------------------------------------------------------------


@router.get("/clients")
async def clients_page(
    request: Request,
    _staff: Staff,
    portal: Portal,
    q: str = "",
    tag: str = "",
    assignee: str = "",
    status: str = "",
    documents: str = "",
    document_type: str = "",
    document_state: str = "",
    offset: str = "0",
) -> Response:
    # Both answers are needed before the list's call: asked together.
    document_types, staff = await asyncio.gather(
        asked_documents(request), portal.staff_users(include_inactive=True)
    )
    known_type = any(str(kind.id) == document_type for kind in document_types)
    filters = {
        "q": q.strip()[:200],
        "tag": tag.strip()[:50],
        "assignee": assignee if _uuid(assignee) else "",
        "status": status if status in PORTAL_STATUSES else "",
        "documents": documents if documents in ("complete", "incomplete") else "",
        "document_type": document_type if known_type else "",
        "document_state": document_state if known_type and document_state in STATES else "",
    }
    page = await portal.clients(
        q=filters["q"],
        tag=filters["tag"],
        assigned_staff_id=filters["assignee"],
        portal_status=filters["status"],
        documents_complete={"complete": True, "incomplete": False}.get(filters["documents"]),
        document_type_id=filters["document_type"],
        document_state=filters["document_state"],
        limit=PAGE_SIZE,
        offset=_offset(offset),
    )
    query = {key: value for key, value in filters.items() if value}
    return await render(
        request,
        "portal/clients/list.html",
        section="clients",
        page=page,
        filters=filters,
        query=query,
        filtered=bool(query),
        staff_names=_staff_names(staff),
        assignees=[("", _("Anyone")), *_assignee_options(staff, filters["assignee"])],
        statuses=[("", _("Any")), *_status_options()],
        document_types=[(str(kind.id), kind.name(current_locale())) for kind in document_types],
        document_states=[("", _("Asked for")), *state_options()],
    )


# --- Create and invite ----------------------------------------------------------------------


@router.get("/clients/new")
async def new_client_page(request: Request, session: Staff, portal: Portal) -> Response:
    values = {"kind": "company", "locale": session.locale or "en", "invite": True}
    return await _new_client_form(request, portal, FormState(values=values))


class ContactForm(BaseModel):
    first_name: Text = ""
    last_name: Text = ""
    email: Text = ""
    phone: Text = ""
    role: Text = ""
    locale: Text = ""
    invite: bool = False


class NewClientForm(BaseModel):
    kind: Text = ""
    name: Text = ""
    tags: Text = ""
    assignee: Text = ""
    first_name: Text = ""
    last_name: Text = ""
    email: Text = ""
    phone: Text = ""
    locale: Text = ""
    invite: bool = False


class NewWorkspaceForm(BaseModel):
    workspace_name: Text = ""
    project_name: Text = ""
    clients_can_upload: bool = False
    contact_ids: list[str] = []


class ClientDetailsForm(BaseModel):
    """The client's own fields; each attribute's input (``attr_<key>``) comes as an extra."""

    model_config = ConfigDict(extra="allow")

    kind: Text = ""
    name: Text = ""
    legal_id: Text = ""
    tags: Text = ""
    assignee: Text = ""
    phone: Text = ""
    website: Text = ""
    # As typed: its leading spaces may be an indented line.
    notes: str = ""
    address_line1: Text = ""
    address_line2: Text = ""
    address_postal_code: Text = ""
    address_city: Text = ""
    address_region: Text = ""
    address_country: Text = ""

    def attribute(self, key: str) -> str:
        value = (self.model_extra or {}).get(f"attr_{key}")
        return value.strip() if isinstance(value, str) else ""


@router.post("/clients/new")
async def create_client(
    request: Request, session: Staff, portal: Portal, posted: Annotated[NewClientForm, Form()]
) -> Response:
    values = posted.model_dump()
    contact = {
        "first_name": posted.first_name,
        "last_name": posted.last_name,
        "email": posted.email,
        "phone": posted.phone or None,
        "locale": posted.locale or "en",
    }
    try:
        client = await portal.create_client(
            kind=posted.kind or "company",
            name=posted.name,
            tags=_tags(posted.tags),
            assigned_staff_id=posted.assignee or None,
            # A client may start without a contact, unless one is to be invited.
            contacts=[contact] if posted.invite or _any_typed(values, CONTACT_FIELDS) else [],
        )
    except ApiProblem as problem:
        if problem.status != 422:
            raise
        form = _problem_form(problem, values, NEW_CLIENT_ALIASES)
        return await _new_client_form(request, portal, form, 422)
    path = f"/clients/{client.id}"
    if not (posted.invite and client.contacts):
        session.notify(_("Client created."))
        return see_other(path)
    invited = client.contacts[0]
    try:
        await portal.invite_contact(client.id, invited.id)
    except ApiProblem as problem:
        if problem.status != 409:
            raise
        session.notify(
            _(
                "Client created, but %(email)s could not be invited: "
                "this address already has a Portico account."
            )
            % {"email": invited.email},
            "error",
        )
        return see_other(path)
    session.notify(
        _("Client created. The invitation is on its way to %(email)s.") % {"email": invited.email}
    )
    return see_other(path)


async def _new_client_form(
    request: Request, portal: PortalApi, form: FormState, status_code: int = 200
) -> Response:
    staff = await portal.staff_users()
    return await render(
        request,
        "portal/clients/new.html",
        status_code,
        section="clients",
        form=form,
        kinds=_kind_options(),
        languages=_language_options(),
        assignees=[("", _("Nobody")), *_assignee_options(staff, form.value("assignee"))],
    )


# --- A client's page ------------------------------------------------------------------------


@router.get("/clients/{client_id}")
async def client_page(request: Request, _staff: Staff, portal: Portal, client_id: str) -> Response:
    return await _client_page(request, portal, _id(client_id))


async def _client_page(
    request: Request,
    portal: PortalApi,
    client_id: str,
    status_code: int = 200,
    *,
    contact_form: FormState | None = None,
    workspace_form: FormState | None = None,
) -> Response:
    client = await portal.client(client_id)
    changes = await portal.client_history(client_id)
    definitions = await portal.attribute_definitions()
    staff = await portal.staff_users(include_inactive=True)
    workspaces = await portal.client_workspaces(client_id)
    pending = await portal.invitations(status="pending", limit=200)
    names = _staff_names(staff)
    expires = {
        invitation.contact_id: invitation.expires_at
        for invitation in pending.items
        if invitation.client_id == client.id
    }
    if contact_form is None:
        locale = next((contact.locale for contact in client.contacts), "en")
        contact_form = FormState(values={"locale": locale, "invite": True})
    if workspace_form is None:
        # Shared by default with those who can open it: a contact not (or no longer) in the
        # portal is added only on purpose, and finds it once they join.
        joined = [c.id for c in client.contacts if c.portal_status == "active"]
        workspace_form = FormState(values={"clients_can_upload": True, "contact_ids": joined})
    return await render(
        request,
        "portal/clients/client.html",
        status_code,
        section="clients",
        # The contact and workspace forms post elsewhere: a failed one shows this address.
        page_url=f"/clients/{client_id}",
        client=client,
        kind=_kind_label(client.kind),
        assignee=names.get(client.assigned_staff_id or ""),
        address=_address_lines(client.address),
        attributes=_attribute_rows(client.attributes, definitions),
        history=[_history_entry(entry, client, definitions, names) for entry in changes],
        workspaces=workspaces.items,
        expires=expires,
        contact_form=contact_form,
        workspace_form=workspace_form,
        languages=_language_options(),
    )


@router.post("/clients/{client_id}/contacts")
async def add_contact(
    request: Request,
    session: Staff,
    portal: Portal,
    client_id: str,
    posted: Annotated[ContactForm, Form()],
) -> Response:
    client_id = _id(client_id)
    values = posted.model_dump()
    try:
        added = await portal.add_contact(
            client_id,
            invite=posted.invite,
            first_name=posted.first_name,
            last_name=posted.last_name,
            email=posted.email,
            phone=posted.phone or None,
            role=posted.role or None,
            locale=posted.locale or "en",
        )
    except ApiProblem as problem:
        if problem.status == 409:
            form = FormState(
                values=values,
                message=_("%(email)s already has a Portico account: each person has one account.")
                % {"email": posted.email},
            )
        elif problem.status == 422:
            form = _problem_form(problem, values)
        else:
            raise
        return await _client_page(request, portal, client_id, 422, contact_form=form)
    name = added.full_name
    if posted.invite:
        session.notify(
            _("%(name)s is added. The invitation is on its way to %(email)s.")
            % {"name": name, "email": added.email}
        )
    else:
        session.notify(_("%(name)s is added.") % {"name": name})
    return see_other(f"/clients/{client_id}")


@router.post("/clients/{client_id}/contacts/{contact_id}/invite")
async def invite_contact(
    session: Staff, portal: Portal, client_id: str, contact_id: str
) -> Response:
    client_id, contact_id = _id(client_id), _id(contact_id)
    contact = _contact_of(await portal.client(client_id), contact_id)
    again = contact.portal_status in {"invited", "expired"}
    try:
        await portal.invite_contact(client_id, contact_id)
    except ApiProblem as problem:
        if problem.status != 409:
            raise
        session.notify(
            _(
                "%(name)s cannot be invited: they already have a portal account, "
                "or %(email)s is used by another Portico account."
            )
            % {"name": contact.full_name, "email": contact.email},
            "error",
        )
        return see_other(f"/clients/{client_id}")
    if again:
        message = _(
            "A new invitation is on its way to %(email)s; the previous link no longer works."
        )
    else:
        message = _("The invitation is on its way to %(email)s.")
    session.notify(message % {"email": contact.email})
    return see_other(f"/clients/{client_id}")


@router.post("/clients/{client_id}/contacts/{contact_id}/revoke")
async def revoke_invitation(
    session: Staff, portal: Portal, client_id: str, contact_id: str
) -> Response:
    client_id, contact_id = _id(client_id), _id(contact_id)
    contact = _contact_of(await portal.client(client_id), contact_id)
    joined = contact.portal_status == "active"
    try:
        await portal.revoke_invitation(client_id, contact_id)
    except ApiProblem as problem:
        if problem.status != 404:
            raise
        # The contact is there (read above): it is their invitation that is gone already.
        session.notify(
            _("%(name)s has no pending invitation.") % {"name": contact.full_name}, "info"
        )
        return see_other(f"/clients/{client_id}")
    if joined:
        session.notify(
            _("%(name)s can no longer open the portal at this client.")
            % {"name": contact.full_name}
        )
    else:
        session.notify(
            _("The invitation of %(name)s is revoked: its link no longer works.")
            % {"name": contact.full_name}
        )
    return see_other(f"/clients/{client_id}")


@router.post("/clients/{client_id}/workspaces")
async def create_workspace(
    request: Request,
    session: Staff,
    portal: Portal,
    client_id: str,
    posted: Annotated[NewWorkspaceForm, Form()],
) -> Response:
    client_id = _id(client_id)
    try:
        workspace = await portal.create_client_workspace(
            client_id,
            name=posted.workspace_name,
            project_name=posted.project_name or None,
            clients_can_upload=posted.clients_can_upload,
            contact_ids=posted.contact_ids,
        )
    except ApiProblem as problem:
        if problem.status != 422:
            raise
        form = _problem_form(problem, posted.model_dump(), WORKSPACE_ALIASES)
        return await _client_page(request, portal, client_id, 422, workspace_form=form)
    session.notify(_("The workspace %(name)s is created.") % {"name": workspace.name})
    return see_other(f"/workspaces/{workspace.id}")


# --- Editing the details --------------------------------------------------------------------


@router.get("/clients/{client_id}/edit")
async def edit_client_page(
    request: Request, _staff: Staff, portal: Portal, client_id: str
) -> Response:
    client = await portal.client(_id(client_id))
    definitions = await portal.attribute_definitions()
    address = client.address or Address()
    values: dict[str, str] = {
        "kind": client.kind,
        "name": client.name,
        "legal_id": client.legal_id or "",
        "tags": ", ".join(client.tags),
        "assignee": client.assigned_staff_id or "",
        "phone": client.phone or "",
        "website": client.website or "",
        "notes": client.notes or "",
        **{f"address_{part}": getattr(address, part) or "" for part in ADDRESS_PARTS},
        **{
            f"attr_{definition.key}": _attribute_input(client.attributes.get(definition.key))
            for definition in definitions
        },
    }
    return await _edit_form(request, portal, client, definitions, FormState(values=values))


@router.post("/clients/{client_id}/edit")
async def update_client(
    request: Request,
    session: Staff,
    portal: Portal,
    client_id: str,
    posted: Annotated[ClientDetailsForm, Form()],
) -> Response:
    client_id = _id(client_id)
    client = await portal.client(client_id)
    definitions = await portal.attribute_definitions()
    values = posted.model_dump(exclude=set(posted.model_extra or {}))
    for definition in definitions:
        values[f"attr_{definition.key}"] = posted.attribute(definition.key)
    # Each attribute as typed (the portal reads it by its type); empty removes it.
    attributes = {
        definition.key: posted.attribute(definition.key) or None for definition in definitions
    }
    try:
        await portal.update_client(
            client_id,
            kind=posted.kind or None,
            name=posted.name or None,
            legal_id=posted.legal_id or None,
            tags=_tags(posted.tags),
            assigned_staff_id=posted.assignee or None,
            phone=posted.phone or None,
            website=posted.website or None,
            # Browsers send a textarea's line breaks as CRLF: keep them as they were stored.
            notes=posted.notes.replace("\r\n", "\n").rstrip() or None,
            address={part: values[f"address_{part}"] or None for part in ADDRESS_PARTS},
            **({"attributes": attributes} if definitions else {}),
        )
    except ApiProblem as problem:
        if problem.status != 422:
            raise
        aliases = EDIT_ALIASES | {
            f"attributes.{definition.key}": f"attr_{definition.key}" for definition in definitions
        }
        form = _problem_form(problem, values, aliases)
        for definition in definitions:
            name = f"attr_{definition.key}"
            if form.error(name):
                form.errors[name] = _attribute_error(definition)
        return await _edit_form(request, portal, client, definitions, form, 422)
    session.notify(_("The client's details are saved."))
    return see_other(f"/clients/{client_id}")


async def _edit_form(
    request: Request,
    portal: PortalApi,
    client: Client,
    definitions: list[AttributeDefinition],
    form: FormState,
    status_code: int = 200,
) -> Response:
    staff = await portal.staff_users()
    inputs = [_attribute_field(definition) for definition in definitions]
    for attribute in inputs:
        current = form.value(attribute.name)
        if attribute.options and current not in dict(attribute.options):
            # A value no longer among the choices stays until someone changes it.
            attribute.options.append((current, current))
    return await render(
        request,
        "portal/clients/edit.html",
        status_code,
        section="clients",
        client=client,
        form=form,
        attribute_inputs=inputs,
        kinds=_kind_options(),
        assignees=[("", _("Nobody")), *_assignee_options(staff, form.value("assignee"))],
    )


# --- Helpers --------------------------------------------------------------------------------


def _id(value: str) -> str:
    """A path's id, or the 404 page: an id that is not one names nothing."""
    parsed = _uuid(value)
    if parsed is None:
        raise PageNotFound
    return str(parsed)


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _offset(value: str) -> int:
    try:
        return max(int(value), 0)
    except ValueError:
        return 0


def _any_typed(values: Mapping[str, Any], names: Iterable[str]) -> bool:
    return any(values.get(name) for name in names if name != "locale")


def _tags(text: str) -> list[str]:
    """``"design, Paris,design"`` → ``["design", "Paris"]``: each once, in the order typed."""
    tags: list[str] = []
    for tag in (part.strip() for part in text.split(",")):
        if tag and tag not in tags:
            tags.append(tag)
    return tags


def _problem_form(
    problem: ApiProblem, values: Mapping[str, Any], aliases: Mapping[str, str] | None = None
) -> FormState:
    """The service's errors beside the inputs; an empty input is said to be required."""
    form = form_from_problem(problem, values, aliases)
    for name in form.errors:
        if values.get(name) in ("", None):
            form.errors[name] = _("This field is required.")
    return form


def _attribute_error(definition: AttributeDefinition) -> str:
    kind = definition.type
    if kind == "number":
        return _("Enter a number.")
    if kind == "date":
        return _("Enter a date.")
    if kind in {"choice", "boolean"}:
        return _("Choose one of the options.")
    return _("This is too long.")


def _contact_of(client: Client, contact_id: str) -> Contact:
    for contact in client.contacts:
        if contact.id == contact_id:
            return contact
    raise PageNotFound


def _staff_names(staff: Iterable[StaffUser]) -> dict[str, str]:
    return {user.id: user.full_name for user in staff}


def _assignee_options(staff: Iterable[StaffUser], current: str = "") -> list[tuple[str, str]]:
    """Active staff users, and the current assignee even when deactivated since."""
    return [
        (user.id, user.full_name)
        for user in sorted(staff, key=lambda user: user.full_name.lower())
        if user.active or user.id == current
    ]


def _kind_options() -> list[tuple[str, str]]:
    return [(kind, _kind_label(kind)) for kind in KINDS]


def _kind_label(kind: str) -> str:
    return {"company": _("Company"), "individual": _("Individual")}.get(kind, kind)


def _language_options() -> list[tuple[str, str]]:
    return [(code, language_name(code).capitalize()) for code in LOCALES]


def _status_options() -> list[tuple[str, str]]:
    labels = {
        "none": _("Not invited"),
        "invited": _("Invited"),
        "expired": _("Expired"),
        "active": _("Active"),
    }
    return [(status, labels[status]) for status in PORTAL_STATUSES]


def _address_lines(address: Address | None) -> list[str]:
    if address is None:
        return []
    town = " ".join(part for part in (address.postal_code, address.city) if part)
    lines = [address.line1, address.line2, town, address.region, address.country]
    return [line for line in lines if line]


@dataclass
class AttributeInput:
    """How the edit form asks for a custom attribute."""

    name: str
    label: str
    type: str
    attrs: dict[str, str]
    # A select's options; none: an input of ``type``.
    options: list[tuple[str, str]]


def _attribute_field(definition: AttributeDefinition) -> AttributeInput:
    """How the edit form asks for a custom attribute, by its type."""
    options: list[tuple[str, str]] = []
    kind, attrs = "text", {"maxlength": "500"}
    if definition.type == "boolean":
        options = [("", "—"), ("true", _("Yes")), ("false", _("No"))]
    elif definition.type == "choice":
        options = [("", "—")] + [(choice, choice) for choice in definition.choices]
    elif definition.type == "date":
        kind, attrs = "date", {}
    elif definition.type == "number":
        # Text, so that a decimal comma is accepted (the portal reads 12,5 as 12.5).
        attrs = {"inputmode": "decimal"}
    return AttributeInput(
        name=f"attr_{definition.key}",
        label=definition.label,
        type=kind,
        attrs=attrs,
        options=options,
    )


def _attribute_input(value: JsonValue) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _attribute_rows(
    values: Mapping[str, JsonValue], definitions: Iterable[AttributeDefinition]
) -> list[tuple[str, str | None]]:
    """Each defined attribute's label and value as shown (None: not filled in)."""
    return [
        (definition.label, _shown(values.get(definition.key), definition.type))
        for definition in definitions
    ]


def _shown(value: JsonValue, kind: str | None = None) -> str | None:
    """A value as the page shows it: in the user's language, short enough for a list."""
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    if kind == "date":
        try:
            return format_when(str(value), "date")
        except ValueError:
            return str(value)
    if kind == "number" or isinstance(value, int | float):
        return format_number(value)
    text = str(value)
    return text if len(text) <= LONGEST_VALUE else text[: LONGEST_VALUE - 1] + "…"


def _field_labels() -> dict[str, str]:
    return {
        "kind": _("Kind"),
        "name": _("Name"),
        "legal_id": _("Company number"),
        "phone": _("Phone"),
        "website": _("Website"),
        "notes": _("Notes"),
        "tags": _("Tags"),
        "assigned_staff_id": _("Assignee"),
        "address": _("Address"),
        "address.line1": _("Address"),
        "address.line2": _("Address (line 2)"),
        "address.postal_code": _("Postal code"),
        "address.city": _("City"),
        "address.region": _("Region"),
        "address.country": _("Country"),
    }


def _contact_labels() -> dict[str, str]:
    return {
        "first_name": _("First name"),
        "last_name": _("Last name"),
        "email": _("Email"),
        "phone": _("Phone"),
        "role": _("Role"),
        "locale": _("Language"),
        "portal_status": _("Portal access"),
    }


@dataclass
class ShownChange:
    label: str
    # None: the field had no value before, or has none after.
    old: str | None
    new: str | None


@dataclass
class ShownRejection:
    label: str
    value: str | None
    reason: str


@dataclass
class HistoryEntry:
    """One row of the history as the page shows it: who, what, and each field's change."""

    at: datetime
    who: str
    from_document: bool
    what: str
    changes: list[ShownChange] = field(default_factory=list)
    rejected: list[ShownRejection] = field(default_factory=list)


def _history_entry(
    entry: Change,
    client: Client,
    definitions: Iterable[AttributeDefinition],
    staff_names: Mapping[str, str],
) -> HistoryEntry:
    """One row of the history as the page shows it: who, what, and each field's change."""
    types = {definition.key: definition.type for definition in definitions}
    labels = {definition.key: definition.label for definition in definitions}
    contacts = {contact.id: contact.full_name for contact in client.contacts}

    def label(field: str) -> str:
        if field.startswith("attributes."):
            key = field.removeprefix("attributes.")
            return labels.get(key, key)
        if field.startswith("contacts."):
            _prefix, contact_id, attribute = ([*field.split(".", 2), ""])[:3]
            name = contacts.get(contact_id, _("a former contact"))
            if not attribute:
                return _("Contact")
            what = _contact_labels().get(attribute, attribute)
            return _("%(field)s of %(contact)s") % {"field": what, "contact": name}
        return _field_labels().get(field, field)

    def value(field: str, raw: JsonValue) -> str | None:
        if field == "assigned_staff_id" and raw:
            return staff_names.get(str(raw), _("a former staff member"))
        if field == "kind" and raw:
            return _kind_label(str(raw))
        if field.endswith(".locale") and raw in LOCALES:
            return language_name(str(raw)).capitalize()
        if field.startswith("attributes."):
            return _shown(raw, types.get(field.removeprefix("attributes.")))
        if field.endswith(".portal_status") and raw in PORTAL_STATUSES:
            return dict(_status_options())[str(raw)]
        return _shown(raw)

    def target(field: str) -> str:
        # A document names what it fills in as client.<field> or contact.<field>.
        scope, _dot, name = field.partition(".")
        if scope == "contact":
            return _("Contact: %(field)s") % {"field": _contact_labels().get(name, name)}
        return label(name if scope == "client" else field)

    changes = [
        ShownChange(
            label=label(change.field),
            old=value(change.field, change.old),
            new=value(change.field, change.new),
        )
        for change in entry.changes
    ]
    rejected = [
        ShownRejection(label=target(item.field), value=_shown(item.value), reason=item.reason or "")
        for item in entry.rejected
    ]
    return HistoryEntry(
        at=entry.at,
        who=_origin(entry, staff_names, contacts),
        from_document=entry.origin_kind == "document",
        what=_summary(entry.summary),
        changes=changes,
        rejected=rejected,
    )


def _origin(entry: Change, staff_names: Mapping[str, str], contacts: Mapping[str, str]) -> str:
    kind, origin_id = entry.origin_kind, entry.origin_id
    if kind == "staff":
        return staff_names.get(str(origin_id), _("A former staff member"))
    if kind == "client":
        # A contact acting in the client portal (accepting their invitation).
        return contacts.get(str(origin_id), _("A former contact"))
    if kind == "document":
        return _("Signed document %(reference)s") % {"reference": str(origin_id or "")[:8]}
    if kind == "api_key":
        return _("An API key")
    return _("Portico")


def _summary(summary: str) -> str:
    return {
        "created": _("Client created"),
        "updated": _("Details changed"),
        "contact_added": _("Contact added"),
        "contact_removed": _("Contact removed"),
        "document_completed": _("Values written back from a signed document"),
        "invitation_sent": _("Invitation sent"),
        "invitation_resent": _("Invitation sent again"),
        "invitation_revoked": _("Invitation revoked"),
        "invitation_accepted": _("Invitation accepted"),
        "access_revoked": _("Portal access revoked"),
    }.get(summary, summary)
