"""Use cases on clients and contacts. The caller owns the transaction.

Every change goes through ``_apply``: one place that validates custom attributes and the
assignee, diffs old and new values for the history, and emits ClientUpdated.
"""

from __future__ import annotations

import json
import uuid
from typing import Any, Literal

from sqlalchemy import String, case, cast, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from portico.contracts.events.documents import DocumentState
from portico.contracts.events.portal import ClientDeleted
from portico.kit.pagination import PageParams, fetch_page
from portico.kit.problems import NotFound, ValidationProblem
from portico.kit.store.removal import delete_files_after_commit
from portico.kit.transaction import Transaction
from portico.portal.attributes.service import checked_value, definitions_by_key
from portico.portal.clients import history
from portico.portal.clients.document_states import document_state_filter
from portico.portal.clients.erasure import erase_people
from portico.portal.clients.history import FieldChange, Origin
from portico.portal.clients.replica import client_created, client_updated
from portico.portal.clients.schemas import (
    ClientFields,
    ClientIn,
    ContactIn,
    ContactPatch,
    PortalStatus,
)
from portico.portal.clients.status import contact_statuses, status_filter
from portico.portal.exports.discard import discard_after_commit
from portico.portal.exports.models import ClientExport
from portico.portal.identity.accounts import ensure_no_staff_has
from portico.portal.models import Client, Contact, StaffUser, Workspace

# Fields whose value is stored as given (after the schema's validation).
_PLAIN_FIELDS = ("kind", "name", "legal_id", "phone", "website", "notes", "assigned_staff_id")
_REQUIRED_FIELDS = ("kind", "name")


async def create_client(tx: Transaction, data: ClientIn, origin: Origin) -> Client:
    for index, contact in enumerate(data.contacts):
        await ensure_no_staff_has(tx, str(contact.email), field=f"contacts.{index}.email")
    client = Client(
        kind=data.kind,
        name=data.name,
        tags=[],
        attributes={},
        contacts=[Contact(**contact.model_dump()) for contact in data.contacts],
    )
    tx.add(client)
    fields = data.model_dump(exclude={"contacts", "kind", "name"}, exclude_unset=True)
    await apply_client_fields(tx, client, fields)
    await tx.flush()
    history.record(tx, client.id, origin, "created")
    tx.emit(client_created(client, {}))
    return client


async def get_client(session: AsyncSession, client_id: uuid.UUID) -> Client:
    client = await session.scalar(
        select(Client).where(Client.id == client_id).options(selectinload(Client.contacts))
    )
    if client is None:
        raise NotFound(f"No client with id {client_id}.")
    return client


async def update_client(
    tx: Transaction, client: Client, patch: ClientFields, origin: Origin
) -> list[FieldChange]:
    changes = await apply_client_fields(tx, client, patch.model_dump(exclude_unset=True))
    await changed(tx, client, changes, origin)
    return changes


async def changed(
    tx: Transaction,
    client: Client,
    changes: list[FieldChange],
    origin: Origin,
    *,
    summary: str = "updated",
    rejected: list[dict[str, Any]] | None = None,
) -> None:
    """Records the change in the history and tells the other services, when there is one."""
    if not changes and not rejected:
        return
    history.record(tx, client.id, origin, summary, changes, rejected or [])
    if changes:
        await tx.flush()
        await emit_client_updated(tx, client, [change.field for change in changes], origin.label)


async def emit_client_updated(
    tx: Transaction, client: Client, changed_fields: list[str], origin: str | None
) -> None:
    statuses = await contact_statuses(tx, [contact.id for contact in client.contacts])
    tx.emit(client_updated(client, statuses, changed_fields=changed_fields, origin=origin))


async def delete_client(tx: Transaction, client: Client, *, erase: bool = False) -> list[uuid.UUID]:
    """Deletes the client and all it holds; answers its workspaces' ids (their files go too).

    An erasure also removes its people's logins (``erasure``), and tells every service to
    remove everything about the client (docs/erasure.md).
    """
    workspace_ids = list(
        await tx.scalars(select(Workspace.id).where(Workspace.client_id == client.id))
    )
    if erase:
        await erase_people(tx, client)
    # Its exports' archives hold everything about the client: they go with it, and so
    # does every part a service gave (or gives later) for them (``exports.discard``).
    exports = list(
        await tx.scalars(select(ClientExport).where(ClientExport.client_id == client.id))
    )
    for export in exports:
        await discard_after_commit(tx, export.id, export.expected)
    await delete_files_after_commit(tx, prefixes=[f"exports/{export.id}/" for export in exports])
    await tx.delete(client)
    tx.emit(ClientDeleted(client_id=client.id, erase=erase))
    return workspace_ids


async def add_contact(tx: Transaction, client: Client, data: ContactIn, origin: Origin) -> Contact:
    await ensure_no_staff_has(tx, str(data.email), field="email")
    contact = Contact(client_id=client.id, **data.model_dump())
    client.contacts.append(contact)
    await tx.flush()
    change = FieldChange(f"contacts.{contact.id}", None, contact.name)
    await changed(tx, client, [change], origin, summary="contact_added")
    return contact


def find_contact(client: Client, contact_id: uuid.UUID) -> Contact:
    for contact in client.contacts:
        if contact.id == contact_id:
            return contact
    raise NotFound(f"No contact with id {contact_id} at this client.")


async def update_contact(
    tx: Transaction, client: Client, contact: Contact, patch: ContactPatch, origin: Origin
) -> list[FieldChange]:
    changes = await apply_contact_patch(tx, contact, patch)
    await changed(tx, client, changes, origin)
    return changes


async def apply_contact_patch(
    session: AsyncSession, contact: Contact, patch: ContactPatch
) -> list[FieldChange]:
    changes = []
    for name, value in patch.model_dump(exclude_unset=True).items():
        if value is None and name in ("first_name", "last_name", "email", "locale"):
            raise ValidationProblem.for_field(name, "cannot be empty")
        old = getattr(contact, name)
        if name == "email" and value != old:
            await ensure_no_staff_has(session, value, field="email")
        if old != value:
            changes.append(FieldChange(f"contacts.{contact.id}.{name}", old, value))
            setattr(contact, name, value)
    return changes


async def remove_contact(tx: Transaction, client: Client, contact: Contact, origin: Origin) -> None:
    """Removing a contact also closes their portal account and invitations."""
    client.contacts.remove(contact)
    await tx.flush()
    change = FieldChange(f"contacts.{contact.id}", contact.name, None)
    await changed(tx, client, [change], origin, summary="contact_removed")


# "name": alphabetical; "recent": the latest changed or active first (the dashboard's
# activity: a change of the record, or a contact's message, upload or task done).
ClientSort = Literal["name", "recent"]

# The later of the two moments (NULL, never active, compares false and gives updated_at).
LAST_SEEN = case(
    (Client.last_activity_at > Client.updated_at, Client.last_activity_at),
    else_=Client.updated_at,
)


async def list_clients(
    session: AsyncSession,
    page: PageParams,
    *,
    search: str | None = None,
    tag: str | None = None,
    assigned_staff_id: uuid.UUID | None = None,
    portal_status: PortalStatus | None = None,
    documents_complete: bool | None = None,
    document_type_id: uuid.UUID | None = None,
    document_state: DocumentState | None = None,
    sort: ClientSort = "name",
) -> tuple[list[Client], int]:
    query = select(Client)
    if search:
        pattern = f"%{search.strip().lower()}%"
        matching_contacts = select(Contact.client_id).where(
            or_(
                func.lower(Contact.email).like(pattern),
                func.lower(Contact.last_name).like(pattern),
                func.lower(Contact.first_name).like(pattern),
            )
        )
        query = query.where(
            or_(func.lower(Client.name).like(pattern), Client.id.in_(matching_contacts))
        )
    if assigned_staff_id is not None:
        query = query.where(Client.assigned_staff_id == assigned_staff_id)
    if portal_status is not None:
        query = query.where(status_filter(portal_status))
    if documents_complete is not None:
        query = query.where(Client.documents_complete.is_(documents_complete))
    if document_type_id is not None:
        query = query.where(document_state_filter(document_type_id, document_state))
    if tag:
        # Tags are a JSON list kept as text on both databases: match the quoted tag in it.
        query = query.where(cast(Client.tags, String).contains(json.dumps(tag), autoescape=True))
    query = query.options(selectinload(Client.contacts))
    if sort == "recent":
        return await fetch_page(session, query, page, LAST_SEEN.desc(), Client.id)
    return await fetch_page(session, query, page, func.lower(Client.name), Client.id)


async def apply_client_fields(
    session: AsyncSession, client: Client, fields: dict[str, Any]
) -> list[FieldChange]:
    """Sets the fields given (a PATCH's ``exclude_unset`` dump) and answers what changed."""
    changes: list[FieldChange] = []
    for name in _REQUIRED_FIELDS:
        if name in fields and fields[name] is None:
            raise ValidationProblem.for_field(name, "cannot be empty")
    if fields.get("assigned_staff_id") is not None:
        await _ensure_staff_user(session, fields["assigned_staff_id"])
    for name in _PLAIN_FIELDS:
        if name in fields and getattr(client, name) != fields[name]:
            changes.append(FieldChange(name, _plain(getattr(client, name)), _plain(fields[name])))
            setattr(client, name, fields[name])
    if "tags" in fields:
        tags = sorted(set(fields["tags"] or []))
        if tags != list(client.tags):
            changes.append(FieldChange("tags", list(client.tags), tags))
            client.tags = tags
    if "address" in fields:
        changes += _apply_address(client, fields["address"])
    if fields.get("attributes"):
        changes += await _apply_attributes(session, client, fields["attributes"])
    return changes


def _apply_address(client: Client, parts: dict[str, Any] | None) -> list[FieldChange]:
    old = dict(client.address or {})
    new = {} if parts is None else {**old, **parts}
    new = {part: value for part, value in new.items() if value not in (None, "")}
    changes = [
        FieldChange(f"address.{part}", old.get(part), new.get(part))
        for part in sorted(set(old) | set(new))
        if old.get(part) != new.get(part)
    ]
    if changes:
        client.address = new or None
    return changes


async def _apply_attributes(
    session: AsyncSession, client: Client, values: dict[str, Any]
) -> list[FieldChange]:
    definitions = await definitions_by_key(session)
    new = dict(client.attributes)
    for key, value in values.items():
        definition = definitions.get(key)
        if definition is None:
            raise ValidationProblem.for_field(
                f"attributes.{key}", "is not an attribute defined in the settings"
            )
        try:
            checked = checked_value(definition, value)
        except ValueError as error:
            raise ValidationProblem.for_field(f"attributes.{key}", str(error)) from None
        if checked is None:
            new.pop(key, None)
        else:
            new[key] = checked
    changes = [
        FieldChange(f"attributes.{key}", client.attributes.get(key), new.get(key))
        for key in sorted(set(client.attributes) | set(new))
        if client.attributes.get(key) != new.get(key)
    ]
    if changes:
        client.attributes = new
    return changes


async def _ensure_staff_user(session: AsyncSession, user_id: uuid.UUID) -> None:
    user = await session.get(StaffUser, user_id)
    if user is None or not user.active:
        raise ValidationProblem.for_field("assigned_staff_id", "is not an active staff user")


def _plain(value: Any) -> Any:
    """History rows are JSON: ids become strings."""
    return str(value) if isinstance(value, uuid.UUID) else value
