"""Turning planned messages into rendered, recorded deliveries (inside the event's
transaction), and in-app notifications. Sending happens afterwards, in the ``notifier.send``
jobs the same transaction adds (``dispatcher.py``)."""

from __future__ import annotations

import uuid
from typing import Any, Protocol, cast

from sqlalchemy import Table, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from portico.contracts.events.notifier import NotificationFailed
from portico.kit.db import utcnow
from portico.kit.jobs import job_values
from portico.kit.transaction import Transaction
from portico.notifier.channels.base import PermanentFailure
from portico.notifier.channels.phone import mask_phone, normalise_phone
from portico.notifier.channels.sms_text import fit_sms
from portico.notifier.inapp.texts import in_app_text
from portico.notifier.messages.catalogue import KINDS
from portico.notifier.messages.planning import Outgoing
from portico.notifier.messages.rendering import (
    LOCALES,
    Rendered,
    TemplateSet,
    default_templates,
    render,
)
from portico.notifier.models import (
    Delivery,
    DeliveryAttempt,
    Notification,
    OrganisationReplica,
    TemplateOverride,
)
from portico.notifier.settings import notifier_settings

# What a transaction gathers, in its session's ``info``: a session opened by
# ``Database.transaction()`` lives for that one transaction, so these go with it.
_PENDING = "portico_notifier_pending_deliveries"
_OVERRIDES = "portico_notifier_template_overrides"
_ORGANISATION = "portico_notifier_organisation"
MESSAGE_ID_NAMESPACE = uuid.UUID("6f1c2f38-54a4-4f0a-9d7a-3c1b9a3e7d21")
# The job that sends deliveries: ``{"deliveries": [ids]}``.
SEND_JOB = "notifier.send"


class Occasion(Protocol):
    """What messages are recorded for: an event's envelope, or a notice the notifier itself
    sends (a webhook paused): its id keys the deliveries, its type is in their log."""

    @property
    def id(self) -> uuid.UUID: ...

    @property
    def type(self) -> str: ...


async def _insert_pending(tx: Transaction) -> None:
    """The deliveries of every event of the transaction (a batch of up to a hundred) in
    one executemany, rather than a round trip to the database per event, and the jobs
    that send them (``dispatch_batch`` deliveries each) in one more. Registered with
    ``tx.before_commit`` by ``record``."""
    pending = tx.info.pop(_PENDING, None)
    if not pending:
        return
    dialect_insert = postgresql_insert if tx.database.is_postgres else sqlite_insert
    # A delivery already recorded for the key (the same event once more) stays as it
    # is; its job finds nothing pending under the new id and ends.
    await tx.execute(
        dialect_insert(cast(Table, Delivery.__table__)).on_conflict_do_nothing(
            index_elements=["idempotency_key"]
        ),
        pending,
    )
    size = notifier_settings().dispatch_batch
    await tx.enqueue_many(
        [
            job_values(
                SEND_JOB,
                {"deliveries": [str(row["id"]) for row in pending[first : first + size]]},
            )
            for first in range(0, len(pending), size)
        ]
    )


async def organisation_context(session: AsyncSession) -> dict[str, Any]:
    # Read once per transaction: a batch of events shares it (and the settings' sender,
    # which cost more to read than a message to render).
    if _ORGANISATION not in session.info:
        organisation = _organisation(await session.get(OrganisationReplica, 1))
        organisation["sender_email"] = (
            organisation["sender_email"] or notifier_settings().default_sender
        )
        session.info[_ORGANISATION] = organisation
    context: dict[str, Any] = session.info[_ORGANISATION]
    return context


def forget_organisation(session: AsyncSession) -> None:
    """After the replica changed: later events of the transaction read the new one."""
    session.info.pop(_ORGANISATION, None)


def _organisation(organisation: OrganisationReplica | None) -> dict[str, Any]:
    if organisation is None:
        return {
            "name": "Portico",
            "logo_url": None,
            "brand_colour": None,
            "sender_email": None,
            "sender_name": None,
            "default_locale": "en",
            "default_country": "FR",
        }
    return {
        "name": organisation.name,
        "logo_url": organisation.logo_url,
        "brand_colour": organisation.brand_colour,
        "sender_email": organisation.sender_email,
        "sender_name": organisation.sender_name,
        "default_locale": organisation.default_locale,
        "default_country": organisation.default_country,
    }


async def templates_for(session: AsyncSession, kind: str, locale: str) -> TemplateSet:
    # Overrides are few: read them once per transaction rather than once per message.
    if _OVERRIDES not in session.info:
        rows = await session.scalars(select(TemplateOverride))
        session.info[_OVERRIDES] = {(row.kind, row.locale): row for row in rows}
    override = session.info[_OVERRIDES].get((kind, locale))
    if override is None:
        return default_templates(kind, locale)
    return TemplateSet(
        subject=override.subject, html=override.html, text=override.text, sms=override.sms
    )


def idempotency_key(envelope: Occasion, outgoing: Outgoing) -> str:
    who = outgoing.recipient.id or outgoing.recipient.email or outgoing.recipient.phone
    return f"{envelope.id}:{outgoing.kind}:{who}:{outgoing.channel}"


def message_id(key: str, sender: str) -> str:
    domain = sender.rpartition("@")[2] or "portico.localhost"
    return f"<{uuid.uuid5(MESSAGE_ID_NAMESPACE, key)}@{domain}>"


async def record(
    tx: Transaction,
    envelope: Occasion,
    planned: list[Outgoing],
) -> None:
    if not planned:
        return
    organisation = await organisation_context(tx)
    pending: list[dict[str, Any]] = []
    for outgoing in planned:
        key = idempotency_key(envelope, outgoing)
        locale = outgoing.recipient.locale
        if locale not in LOCALES:
            locale = organisation["default_locale"]
        if outgoing.channel == "in_app":
            await _notify_in_app(tx, envelope, outgoing, locale, organisation)
            continue
        templates = await templates_for(tx, outgoing.kind, locale)
        context = {**outgoing.context, "recipient": {"name": outgoing.recipient.name}}
        rendered = render(templates, context, locale=locale, organisation=organisation)
        if outgoing.channel == "email":
            pending.append(_email(envelope, outgoing, rendered, key, organisation))
        else:
            sms = await _sms(tx, envelope, outgoing, rendered, key, organisation)
            if sms is not None:
                pending.append(sms)
    if pending:
        tx.info.setdefault(_PENDING, []).extend(pending)
        tx.before_commit(_insert_pending)


def _email(
    envelope: Occasion,
    outgoing: Outgoing,
    rendered: Rendered,
    key: str,
    organisation: dict[str, Any],
) -> dict[str, Any]:
    sender = organisation["sender_email"]
    assert outgoing.recipient.email is not None
    content = {
        "to": outgoing.recipient.email,
        "to_name": outgoing.recipient.name,
        "subject": rendered.subject,
        "html": rendered.html,
        "text": rendered.text,
        "from_address": sender,
        "from_name": organisation["sender_name"] or organisation["name"],
        "reply_to": outgoing.reply_to,
        "message_id": message_id(key, sender),
        "attachments": [
            [attachment.filename, attachment.content_type, attachment.blob_key, attachment.store]
            for attachment in outgoing.attachments
        ],
    }
    return _pending(envelope, outgoing, key, outgoing.recipient.email, rendered, content)


async def _sms(
    tx: Transaction,
    envelope: Occasion,
    outgoing: Outgoing,
    rendered: Rendered,
    key: str,
    organisation: dict[str, Any],
) -> dict[str, Any] | None:
    """The pending SMS delivery; an invalid number is recorded as failed at once."""
    number = outgoing.recipient.phone or ""
    links = [outgoing.context.get(name) for name in KINDS[outgoing.kind].links]
    # A staff message declares no link of its own: the page it leads to is kept whole.
    body = fit_sms(rendered.sms or rendered.text, link=next(filter(None, links), outgoing.link))
    try:
        e164 = normalise_phone(number, organisation["default_country"])
    except PermanentFailure as failure:
        delivery = Delivery(
            **_pending(envelope, outgoing, key, number or "(none)", rendered, None)
            | {
                "status": "failed",
                "finished_at": utcnow(),
                "last_error": failure.reason,
                "next_attempt_at": None,
            }
        )
        tx.add(delivery)
        tx.add(DeliveryAttempt(delivery_id=delivery.id, outcome="permanent", error=failure.reason))
        tx.emit(failed_event(delivery, failure.reason, permanent=True))
        return None
    content = {"to": e164, "body": body, "idempotency_key": key}
    return _pending(envelope, outgoing, key, e164, rendered, content)


def _pending(
    envelope: Occasion,
    outgoing: Outgoing,
    key: str,
    address: str,
    rendered: Rendered,
    content: dict[str, Any] | None,
) -> dict[str, Any]:
    """The columns of a delivery waiting to be sent."""
    now = utcnow()
    return {
        "id": uuid.uuid4(),
        "idempotency_key": key,
        "event_id": envelope.id,
        "event_type": envelope.type,
        "kind": outgoing.kind,
        "channel": outgoing.channel,
        "recipient_id": outgoing.recipient.id,
        "recipient": address,
        "subject": rendered.subject if outgoing.channel == "email" else None,
        "content": content,
        "status": "pending",
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }


async def _notify_in_app(
    session: AsyncSession,
    envelope: Occasion,
    outgoing: Outgoing,
    locale: str,
    organisation: dict[str, Any],
) -> None:
    """The notification keeps its kind's parameters: its text is rendered when it is read,
    in the reader's language then (``inapp.texts``)."""
    assert outgoing.recipient.id is not None
    exists = await session.scalar(
        select(Notification.id).where(
            Notification.event_id == envelope.id,
            Notification.user_id == outgoing.recipient.id,
            Notification.kind == outgoing.kind,
        )
    )
    if exists is None:
        # What it says now, kept in case its kind's texts are ever gone.
        text = in_app_text(
            outgoing.kind, outgoing.context, locale=locale, organisation=organisation
        )
        session.add(
            Notification(
                user_id=outgoing.recipient.id,
                kind=outgoing.kind,
                title=text.title,
                body=text.excerpt,
                params=outgoing.context,
                link=outgoing.link,
                event_id=envelope.id,
            )
        )


def mask(address: str) -> str:
    """c•••••@example.com, +33 6•••••78: enough to tell two apart, not to write to them."""
    if "@" in address:
        local, _, domain = address.partition("@")
        return f"{local[:1]}•••••@{domain}"
    return mask_phone(address)


def failed_event(delivery: Delivery, reason: str, *, permanent: bool) -> NotificationFailed:
    return NotificationFailed(
        delivery_id=delivery.id,
        source_event_id=delivery.event_id,
        source_event_type=delivery.event_type,
        channel=delivery.channel,
        recipient_id=delivery.recipient_id,
        recipient=mask(delivery.recipient),
        failed_at=utcnow(),
        reason=reason[:2000],
        permanent=permanent,
    )
