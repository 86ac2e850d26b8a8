"""What the notifier holds about a deleted client, removed (docs/erasure.md).

It keeps a replica of the clients for this alone: whom a ClientDeleted is about, which
names only the client's id. The replica lists every contact the client has had (one
removed since was written to as well) and stays, emptied, as a tombstone.

On every ClientDeleted, the messages addressed to the client's contacts: their deliveries
(with their attempts), found by the contact's id or by their address or number, so those
recorded for them as a portal login (a password reset) go too. On an erasure, besides:
staff's in-app notifications that name the client or a contact in their parameters (or,
recorded before notifications kept them, in their title) or hold the client's id (in a
link), every delivery of the events those came from (the same news to staff by email or
SMS), and webhook deliveries whose body mentions the client, a contact or their address.

A delivery still waiting to be sent is not deleted but emptied (no address, no content,
marked failed): the dispatcher may be sending it at this moment, and records the outcome
against its row. What cannot be found by client is said in docs/erasure.md.
"""

from __future__ import annotations

import contextlib
import json
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, String, cast, delete, false, func, or_, select, update

from portico.contracts.events.portal import ClientCreated, ClientDeleted, ClientUpdated
from portico.kit.db import utcnow
from portico.kit.inbox import EventContext
from portico.kit.transaction import Transaction
from portico.notifier.channels.base import PermanentFailure
from portico.notifier.channels.phone import normalise_phone
from portico.notifier.models import (
    ClientReplica,
    Delivery,
    DeliveryAttempt,
    Notification,
    OrganisationReplica,
    WebhookDelivery,
)

CONTACT_FIELDS = {"id", "first_name", "last_name", "email", "phone"}
ERASED = "(erased)"
NOT_SENT = "Not sent: the client was deleted first."


async def keep_client(event: ClientCreated | ClientUpdated, context: EventContext) -> None:
    tx, changed_at = context.tx, context.envelope.time
    held = await tx.get(ClientReplica, event.client_id)
    if held is not None and held.deleted:
        return
    newer = held is None or held.changed_at <= changed_at
    contacts = {str(contact["id"]): contact for contact in (held.contacts if held else [])}
    for contact in event.contacts:
        # An older event arriving late still names a contact the replica may not list.
        if newer or str(contact.id) not in contacts:
            contacts[str(contact.id)] = contact.model_dump(mode="json", include=CONTACT_FIELDS)
    if held is None:
        held = ClientReplica(client_id=event.client_id, deleted=False)
        tx.add(held)
    if newer:
        held.name, held.changed_at = event.name, changed_at
    held.contacts = list(contacts.values())


async def forget_client(event: ClientDeleted, context: EventContext) -> None:
    tx = context.tx
    held = await tx.get(ClientReplica, event.client_id)
    known = held if held is not None and not held.deleted else None
    contacts = [_Contact.of(contact) for contact in known.contacts] if known else []
    name = known.name if known else ""
    addresses = await _addresses(tx, contacts) - await _shared(tx, event.client_id, contacts)
    contact_ids = [contact.id for contact in contacts]
    addressed = [func.lower(Delivery.recipient).in_(sorted(addresses))] if addresses else []
    if contact_ids:
        addressed.append(Delivery.recipient_id.in_(contact_ids))
    if addressed:
        await _drop_deliveries(
            tx, set(await tx.scalars(select(Delivery.id).where(*_or(addressed))))
        )
    if event.erase:
        await _erase_mentions(tx, event.client_id, name, contacts, addresses)
    if held is None:
        held = ClientReplica(client_id=event.client_id)
        tx.add(held)
    held.name, held.contacts, held.deleted = "", [], True
    held.changed_at = context.envelope.time


@dataclass(frozen=True)
class _Contact:
    id: uuid.UUID
    name: str
    email: str | None
    phone: str | None

    @classmethod
    def of(cls, held: dict[str, Any]) -> _Contact:
        name = f"{held.get('first_name') or ''} {held.get('last_name') or ''}"
        return cls(uuid.UUID(str(held["id"])), name.strip(), held.get("email"), held.get("phone"))


async def _erase_mentions(
    tx: Transaction,
    client: uuid.UUID,
    name: str,
    contacts: list[_Contact],
    addresses: set[str],
) -> None:
    names = {text.strip() for text in [name, *(c.name for c in contacts)] if text.strip()}
    client_id = str(client)

    # Staff's notifications: the database narrows by text (parameters are JSON as
    # json.dumps wrote them, non-ASCII letters escaped), then a parameter must be the
    # name itself: a client called "Design" must not take every notification saying it.
    rough = [Notification.link.contains(client_id, autoescape=True)]
    for who in names:
        rough += [
            cast(Notification.params, String).contains(_json_text(who), autoescape=True),
            Notification.title.contains(who, autoescape=True),
        ]
    rows = await tx.execute(
        select(
            Notification.id,
            Notification.event_id,
            Notification.title,
            Notification.params,
            Notification.link,
        ).where(*_or(rough))
    )
    naming = [
        row
        for row in rows
        if client_id in (row.link or "")
        or _names_one_of(row.params, names)
        # Recorded before notifications kept their parameters: their title, word for word.
        or (row.params is None and _names_in(row.title, names))
    ]
    if naming:
        await tx.execute(delete(Notification).where(Notification.id.in_([r.id for r in naming])))
        # The same news by email or SMS: every delivery of the events they came from.
        event_ids = sorted({row.event_id for row in naming})
        await _drop_deliveries(
            tx, set(await tx.scalars(select(Delivery.id).where(Delivery.event_id.in_(event_ids))))
        )

    mentions = {client_id} | {str(contact.id) for contact in contacts} | addresses
    await tx.execute(
        delete(WebhookDelivery).where(
            *_or(WebhookDelivery.body.contains(text, autoescape=True) for text in mentions)
        )
    )


async def _drop_deliveries(tx: Transaction, ids: set[Any]) -> None:
    """Deletes these deliveries; those still pending are emptied instead (the module
    says why), their attempts deleted (an error may quote the address)."""
    if not ids:
        return
    chosen = sorted(ids)
    await tx.execute(delete(Delivery).where(Delivery.id.in_(chosen), Delivery.status != "pending"))
    pending = list(
        await tx.scalars(
            select(Delivery.id).where(Delivery.id.in_(chosen), Delivery.status == "pending")
        )
    )
    if not pending:
        return
    await tx.execute(delete(DeliveryAttempt).where(DeliveryAttempt.delivery_id.in_(pending)))
    for delivery_id in pending:
        # The key held the recipient's id or address; it must stay unique.
        await tx.execute(
            update(Delivery)
            .where(Delivery.id == delivery_id)
            .values(
                idempotency_key=f"erased:{delivery_id}",
                recipient_id=None,
                recipient=ERASED,
                subject=None,
                content=None,
                status="failed",
                next_attempt_at=None,
                provider_id=None,
                last_error=NOT_SENT,
                finished_at=utcnow(),
            )
        )


async def _addresses(tx: Transaction, contacts: list[_Contact]) -> set[str]:
    """The contacts' addresses as deliveries record them, lower-cased: emails, and numbers
    in E.164 (as sent) and as entered (a number refused at once keeps that)."""
    organisation = await tx.get(OrganisationReplica, 1)
    country = organisation.default_country if organisation is not None else "FR"
    found: set[str] = set()
    for contact in contacts:
        if contact.email:
            found.add(contact.email.lower())
        if contact.phone:
            found.add(contact.phone.lower())
            with contextlib.suppress(PermanentFailure):  # kept as entered, above
                found.add(normalise_phone(contact.phone, country))
    return found


async def _shared(tx: Transaction, client_id: uuid.UUID, contacts: list[_Contact]) -> set[str]:
    """The addresses a contact of another client has too (two contacts may share one: the
    same person at two companies): what was sent there is found by contact id alone."""
    emails = {contact.email.lower() for contact in contacts if contact.email}
    if not emails:
        return set()
    others = await tx.scalars(
        select(ClientReplica).where(
            ClientReplica.client_id != client_id,
            ClientReplica.deleted.is_(False),
            *_or(
                func.lower(cast(ClientReplica.contacts, String)).contains(
                    _json_text(e), autoescape=True
                )
                for e in emails
            ),
        )
    )
    held = {str(c.get("email") or "").lower() for other in others for c in other.contacts}
    return emails & held


def _or(conditions: Iterable[ColumnElement[bool]]) -> list[ColumnElement[bool]]:
    """One WHERE clause of any of these, or one that holds for nothing."""
    listed = list(conditions)
    return [or_(*listed)] if listed else [false()]


def _json_text(value: str) -> str:
    return json.dumps(value)[1:-1]


def _names_one_of(params: Any, names: set[str]) -> bool:
    """Whether a parameter is one of the names (or a list of names, "A, B", as the signers
    of a document are)."""
    wanted = {name.casefold() for name in names}
    return any(
        part.strip().casefold() in wanted
        for text in _strings(params)
        for part in (text, *text.split(","))
    )


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list):
        return [text for item in value for text in _strings(item)]
    return []


def _names_in(text: str | None, names: set[str]) -> bool:
    """Whether the text holds one of the names as whole words."""
    return bool(text) and any(
        re.search(rf"(?<!\w){re.escape(name)}(?!\w)", text or "", re.IGNORECASE) for name in names
    )
