"""The notifier's tables: replicas of what messages need, templates, preferences, in-app
notifications and the delivery log. It owns no business data."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from portico.kit.db import UTCDateTime, new_metadata, utcnow


class Base(DeclarativeBase):
    metadata = new_metadata()
    type_annotation_map = {datetime: UTCDateTime, uuid.UUID: Uuid}


class OrganisationReplica(Base):
    """The organisation's branding and sender, from OrganisationUpdated; one row, id 1."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    name: Mapped[str] = mapped_column(String(200))
    logo_url: Mapped[str | None] = mapped_column(String(2000))
    brand_colour: Mapped[str | None] = mapped_column(String(7))
    sender_email: Mapped[str | None] = mapped_column(String(320))
    sender_name: Mapped[str | None] = mapped_column(String(200))
    default_locale: Mapped[str] = mapped_column(String(5), default="en")
    default_country: Mapped[str] = mapped_column(String(2), default="FR")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class StaffMember(Base):
    """A staff user as StaffUserChanged describes them: how to reach them."""

    __tablename__ = "staff_members"

    user_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(320))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(40))
    locale: Mapped[str] = mapped_column(String(5), default="en")
    role: Mapped[str] = mapped_column(String(10))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # When the portal made the change held here: an older event arriving late (a retry, a
    # redelivery) must not bring back what a newer one changed, such as a deactivation.
    changed_at: Mapped[datetime | None]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class TemplateOverride(Base):
    """An admin's version of a message template in one language; the default otherwise."""

    __tablename__ = "template_overrides"

    kind: Mapped[str] = mapped_column(String(60), primary_key=True)
    locale: Mapped[str] = mapped_column(String(5), primary_key=True)
    subject: Mapped[str] = mapped_column(String(300))
    html: Mapped[str] = mapped_column(Text)
    text: Mapped[str] = mapped_column(Text)
    sms: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by: Mapped[uuid.UUID | None]


class Preference(Base):
    """Whether a staff user hears of one kind of event by email, SMS and in the app."""

    __tablename__ = "preferences"

    user_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(60), primary_key=True)
    email: Mapped[bool] = mapped_column(Boolean)
    sms: Mapped[bool] = mapped_column(Boolean)
    in_app: Mapped[bool] = mapped_column(Boolean)


class Notification(Base):
    """An in-app notification of a staff user (the bell).

    ``params`` are its kind's template variables: the title and excerpt are rendered from
    them when the notification is read, in the language the reader has then. ``title`` and
    ``body`` are what it said when it was created, kept for the notifications recorded
    before ``params`` existed.
    """

    __tablename__ = "notifications"
    __table_args__ = (UniqueConstraint("event_id", "user_id", "kind"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(index=True)
    kind: Mapped[str] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    params: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    link: Mapped[str | None] = mapped_column(String(2000))
    event_id: Mapped[uuid.UUID]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    read_at: Mapped[datetime | None]


class Delivery(Base):
    """One message to one recipient on one channel, recorded before it is sent.

    ``idempotency_key`` (event id, recipient, channel) is unique: a duplicated event finds
    its delivery already there. ``content`` holds the rendered message until it is sent or
    failed for good, then is cleared: links in it are secrets.
    """

    __tablename__ = "deliveries"
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    event_id: Mapped[uuid.UUID] = mapped_column(index=True)
    event_type: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(60), index=True)
    channel: Mapped[str] = mapped_column(String(10))
    recipient_id: Mapped[uuid.UUID | None]
    # The address or number; events about the delivery carry it masked.
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str | None] = mapped_column(String(300))
    content: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None] = mapped_column(index=True)
    provider_id: Mapped[str | None] = mapped_column(String(200))
    last_error: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    finished_at: Mapped[datetime | None]


class DeliveryAttempt(Base):
    """One try of a delivery and what the channel answered."""

    __tablename__ = "delivery_attempts"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    delivery_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("deliveries.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    outcome: Mapped[str] = mapped_column(String(10))
    provider_id: Mapped[str | None] = mapped_column(String(200))
    error: Mapped[str | None] = mapped_column(String(2000))


class WebhookEndpoint(Base):
    """A URL an admin registered to receive the events of some types (``webhooks/``).

    ``secret`` signs every request and is kept as it is: signing needs it. After a
    rotation the previous one signs too until ``previous_secret_until``, so a receiver
    has time to take the new one. ``owner_id`` is the admin who created it, who is told
    when it is paused.
    """

    __tablename__ = "webhook_endpoints"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    url: Mapped[str] = mapped_column(String(2000))
    description: Mapped[str] = mapped_column(String(500), default="")
    event_types: Mapped[list[str]] = mapped_column(JSON)
    secret: Mapped[str] = mapped_column(String(100))
    previous_secret: Mapped[str | None] = mapped_column(String(100))
    previous_secret_until: Mapped[datetime | None]
    # active, or paused (by its deliveries failing, or by an admin).
    status: Mapped[str] = mapped_column(String(10), default="active")
    paused_at: Mapped[datetime | None]
    pause_reason: Mapped[str | None] = mapped_column(String(2000))
    owner_id: Mapped[uuid.UUID]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class WebhookDelivery(Base):
    """One event to one endpoint: one row per (endpoint, event), however often the event
    is delivered to the notifier.

    ``body`` is the exact JSON sent (the event's envelope, secrets masked), so that every
    try and a replay send, and sign, the same bytes. ``attempts`` counts every try ever
    made; ``tries`` those of the current round, which the retry schedule follows (a replay
    starts a new round). ``status``: pending (a job will try it), delivered, failed (its
    retries spent), or held (its endpoint is paused; sent when it is resumed).
    """

    __tablename__ = "webhook_deliveries"
    __table_args__ = (UniqueConstraint("endpoint_id", "event_id"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    endpoint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE")
    )
    event_id: Mapped[uuid.UUID]
    event_type: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    tries: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    finished_at: Mapped[datetime | None]


class WebhookAttempt(Base):
    """One try of a webhook delivery: when, what the receiver answered, how long it took."""

    __tablename__ = "webhook_attempts"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    delivery_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True
    )
    # 1 for the delivery's first try, counting on across replays.
    number: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    succeeded: Mapped[bool] = mapped_column(Boolean)
    status_code: Mapped[int | None]
    # Why no answer came (a timeout, a refused connection, an address not allowed).
    error: Mapped[str | None] = mapped_column(String(2000))
    duration_ms: Mapped[int] = mapped_column(Integer)
    # The start of what the receiver answered (``delivery.RESPONSE_MAX`` characters).
    response_body: Mapped[str | None] = mapped_column(Text)


class ClientReplica(Base):
    """A client and every contact it has had, from ClientCreated and ClientUpdated: whom
    a ClientDeleted is about (``erasure``). A contact removed since stays listed, so that
    what was sent to them is found too. A deleted client stays as a tombstone, emptied, so
    that a late ClientUpdated does not bring it back."""

    __tablename__ = "client_replicas"

    client_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    # [{"id", "first_name", "last_name", "email", "phone"}], as last seen.
    contacts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # The time of the newest event it holds: an older one arriving late changes no detail.
    changed_at: Mapped[datetime]
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
