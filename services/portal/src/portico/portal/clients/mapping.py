"""Values a signed document carries back into the client's profile (DocumentCompleted).

Each value is checked by the same rules as the API's; a value that fails is not written and
the client's history says why. What passes is written as one change whose origin is the
document, and ClientUpdated tells the other services.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from portico.contracts.events.signing import DocumentCompleted, MappedField
from portico.kit.inbox import EventContext
from portico.kit.problems import Problem
from portico.portal.clients import service
from portico.portal.clients.history import FieldChange, Origin
from portico.portal.clients.schemas import AddressIn, ClientFields, ContactPatch
from portico.portal.models import Client

# What a document may fill in; the rest (tags, notes, assignee) is staff's to decide.
CLIENT_FIELDS = frozenset({"name", "legal_id", "phone", "website"})


ModelT = TypeVar("ModelT", bound=BaseModel)


class Rejected(Exception):
    """A value that is not written, with the reason the history shows."""


async def write_back_mapped_fields(event: DocumentCompleted, context: EventContext) -> None:
    if event.client_id is None or not event.mapped_fields:
        return
    session = context.tx
    client = await session.scalar(
        select(Client).where(Client.id == event.client_id).options(selectinload(Client.contacts))
    )
    if client is None:
        return  # deleted since the document was sent: nothing to write into
    origin = Origin("document", str(event.submission_id))
    changes: list[FieldChange] = []
    rejected: list[dict[str, Any]] = []
    for mapped in event.mapped_fields:
        try:
            changes += await _write(session, client, mapped)
        except Rejected as reason:
            rejected.append({"field": mapped.target, "value": mapped.value, "reason": str(reason)})
    await service.changed(
        session, client, changes, origin, summary="document_completed", rejected=rejected
    )


async def _write(session: AsyncSession, client: Client, mapped: MappedField) -> list[FieldChange]:
    scope, _, name = mapped.target.partition(".")
    if scope == "contact":
        contact = next((c for c in client.contacts if c.id == mapped.contact_id), None)
        if contact is None:
            raise Rejected("the contact is not one of this client's")
        try:
            return await service.apply_contact_patch(
                session, contact, _validated(ContactPatch, {name: mapped.value})
            )
        except Problem as problem:
            raise Rejected(problem.detail) from None
    if name.startswith("address."):
        part = name.removeprefix("address.")
        address = _validated(AddressIn, {part: mapped.value})
        fields = ClientFields(address=address)
    elif name.startswith("attributes."):
        fields = ClientFields(attributes={name.removeprefix("attributes."): mapped.value})
    elif name in CLIENT_FIELDS:
        fields = _validated(ClientFields, {name: mapped.value})
    else:
        raise Rejected(f"{name} cannot be filled in by a document")
    try:
        return await service.apply_client_fields(
            session, client, fields.model_dump(exclude_unset=True)
        )
    except Problem as problem:
        raise Rejected(problem.detail) from None


def _validated(model: type[ModelT], data: dict[str, Any]) -> ModelT:
    try:
        return model.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        if first["type"] == "extra_forbidden":
            raise Rejected("is not a field Portico knows") from None
        raise Rejected(first["msg"]) from None
