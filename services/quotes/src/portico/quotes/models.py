"""The quotes service's tables: the product catalogue quote lines are picked from, quotes
with their sections, lines and links, the counters their numbers come from, the quotes'
settings, and replicas of the portal's clients and staff.

Money and quantities are ``Numeric``, never float. SQLite keeps a ``Numeric`` as a double
behind SQLAlchemy's back, which holds 15 significant digits exactly: no column here has a
precision above 15, so every value comes back as it went in on both databases.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    LargeBinary,
    Numeric,
    String,
    Text,
    Uuid,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from portico.kit.auth.capabilities import CapabilityTokenColumns
from portico.kit.db import UTCDateTime, new_metadata, utcnow


class Base(DeclarativeBase):
    metadata = new_metadata()
    type_annotation_map = {datetime: UTCDateTime, uuid.UUID: Uuid}


class Product(Base):
    """Something the organisation sells: a quote's line copies it, so changing a product
    never changes a quote already made."""

    __tablename__ = "products"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(200), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    # What a quantity counts: hour, day, piece, m²...
    unit: Mapped[str] = mapped_column(String(30), default="")
    # Without tax, in the organisation's currency.
    unit_price: Mapped[Decimal] = mapped_column(Numeric(14, 2))
    # A percentage: 20, 10, 5.5, 2.1 or any other.
    vat_rate: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    # Out of the catalogue's choices, kept for the quotes that used it.
    archived: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Quote(Base):
    """An offer to a client: a draft until first sent, when it takes its number."""

    __tablename__ = "quotes"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # Unique among quotes; several drafts share "none yet" (NULL).
    number: Mapped[str | None] = mapped_column(String(60), unique=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    client_id: Mapped[uuid.UUID] = mapped_column(index=True)
    # The client's contact it is addressed to; none while the client has none.
    contact_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(Uuid, index=True)
    title: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))
    locale: Mapped[str] = mapped_column(String(2))
    issue_date: Mapped[date] = mapped_column(Date)
    valid_until: Mapped[date] = mapped_column(Date)
    introduction: Mapped[str] = mapped_column(Text, default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    terms: Mapped[str] = mapped_column(Text, default="")
    # A discount on the whole quote: percent or amount, both or neither.
    discount_kind: Mapped[str | None] = mapped_column(String(10))
    discount_value: Mapped[Decimal | None] = mapped_column(Numeric(15, 4))
    # Written with the lines at every save, so a list of quotes reads no line.
    total_without_tax: Mapped[Decimal] = mapped_column(Numeric(15, 3))
    total_with_tax: Mapped[Decimal] = mapped_column(Numeric(15, 3))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow, index=True)
    # When it last went out as an offer (from a draft); a link sent again does not move it.
    sent_at: Mapped[datetime | None]
    # The staff member who made it; none when an API key did.
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # Visits of its online page, shown in the quotes list without reading the history.
    view_count: Mapped[int] = mapped_column(Integer, default=0)
    # When the client accepted or declined it, and the reason given for a refusal.
    decided_at: Mapped[datetime | None]
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    # Who accepted it, as recorded at that moment: contact id, name, email, IP, user
    # agent, time zone and how they signed (drawn, typed or none); the proof's evidence.
    signer: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    # The signed quote, sealed, in the service's blob store.
    proof_key: Mapped[str | None] = mapped_column(String(300))
    # Whether its last send asked for a signature to accept it; None before a send (the
    # organisation's setting then says).
    esignature_requested: Mapped[bool | None] = mapped_column(Boolean)

    sections: Mapped[list[QuoteSection]] = relationship(
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="raise",
        order_by="QuoteSection.position",
    )
    lines: Mapped[list[QuoteLine]] = relationship(
        cascade="all, delete-orphan",
        passive_deletes=True,
        lazy="raise",
        order_by="QuoteLine.position",
    )


class QuoteEvent(Base):
    """One step of a quote's history, shown on its page with date and time: sent, reminded,
    viewed, downloaded, feedback, accepted, declined, expired, voided, reopened, invoiced,
    ordered. A client's steps keep their IP and user agent; a staff member's, who acted."""

    __tablename__ = "quote_events"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    quote_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("quotes.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    contact_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    staff_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    ip: Mapped[str | None] = mapped_column(String(45))
    user_agent: Mapped[str | None] = mapped_column(String(400))
    # What the step carried: a message, a reason, the optional lines chosen.
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class QuoteSection(Base):
    """A heading grouping lines, printed with their subtotal; lines name it by its key."""

    __tablename__ = "quote_sections"

    quote_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("quotes.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(40), primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    position: Mapped[int] = mapped_column(Integer)


class QuoteLine(Base):
    """A line copied from the catalogue or typed freely; what it says is its own, so a
    product changed later changes no quote."""

    __tablename__ = "quote_lines"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    quote_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("quotes.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer)
    section_key: Mapped[str | None] = mapped_column(String(40))
    # Where it was copied from; a product removed from the catalogue leaves the line be.
    product_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("products.id", ondelete="SET NULL"), index=True
    )
    description: Mapped[str] = mapped_column(Text)
    quantity: Mapped[Decimal] = mapped_column(Numeric(12, 3))
    unit: Mapped[str] = mapped_column(String(30), default="")
    unit_price: Mapped[Decimal] = mapped_column(Numeric(15, 4))
    vat_rate: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    discount_kind: Mapped[str | None] = mapped_column(String(10))
    discount_value: Mapped[Decimal | None] = mapped_column(Numeric(15, 4))
    # Offered for the client to tick on the online page; counted only once chosen.
    optional: Mapped[bool] = mapped_column(Boolean, default=False)
    chosen: Mapped[bool] = mapped_column(Boolean, default=False)


class QuoteLink(CapabilityTokenColumns, Base):
    """A link to the quote's online page, sent to one contact: each message carries its
    own, all working until they expire or the quote is withdrawn (voided, reopened). Not
    single use: the client comes back to read it again."""

    __tablename__ = "quote_links"
    single_use = False

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    quote_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("quotes.id", ondelete="CASCADE"), index=True
    )
    contact_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    sent_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NumberCounter(Base):
    """The next number of a sequence: quotes or invoices, in one scope of their pattern (a
    year, a month, or ``all``). Drawn in the transaction that issues the number, so a
    rolled-back send gives its number back."""

    __tablename__ = "number_counters"

    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    scope: Mapped[str] = mapped_column(String(20), primary_key=True)
    next_value: Mapped[int] = mapped_column(Integer)


class QuoteSettings(Base):
    """The quotes' settings (one row, id 1): numbering, validity, default texts."""

    __tablename__ = "quote_settings"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number_pattern: Mapped[str] = mapped_column(String(40))
    invoice_number_pattern: Mapped[str] = mapped_column(String(40))
    validity_days: Mapped[int] = mapped_column(Integer)
    default_introduction: Mapped[str] = mapped_column(Text, default="")
    default_terms: Mapped[str] = mapped_column(Text, default="")
    # Printed under the organisation's name on quotes and invoices: address, registration
    # and VAT numbers, as French quotes must carry them.
    company_details: Mapped[str] = mapped_column(Text, default="")
    # Clients accept by signing on the online page (drawn or typed), sealed as proof.
    esignature: Mapped[bool] = mapped_column(Boolean, default=False)
    # A quote awaiting its answer is reminded this many days before its last valid day,
    # once each ([7, 2]: a week before, then two days before); none by default.
    reminder_days_before: Mapped[list[int]] = mapped_column(JSON, default=list)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class OrganisationReplica(Base):
    """The organisation's name and branding from OrganisationUpdated (one row, id 1), for
    the quotes' PDF and online page."""

    __tablename__ = "organisation_replica"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    brand_colour: Mapped[str | None] = mapped_column(String(7))
    logo_url: Mapped[str | None] = mapped_column(String(2000))
    default_locale: Mapped[str] = mapped_column(String(2), default="en")
    changed_at: Mapped[datetime]
    # The logo's key in the portal's blob store, as the event names it (up to 500
    # characters, as events allow keys); None: no logo.
    logo_key: Mapped[str | None] = mapped_column(String(500))
    # The logo as the PDFs print it (a PNG of a few kilobytes, ``rendering.logo``), copied
    # from the portal's store by the ``quotes.copy_logo`` job; None while not copied, or
    # when the file was missing or not an image. Read only by ``quotes.printing``, once
    # per copy and process: never loaded with the row.
    logo: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True, deferred_raiseload=True)
    # When it was copied: a logo changed under the same key is a new copy, read again.
    logo_copied_at: Mapped[datetime | None]


class ClientReplica(Base):
    """A client as the portal's last ClientCreated or ClientUpdated described it."""

    __tablename__ = "client_replicas"

    client_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    assigned_staff_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    # The contacts, as the event carries them (id, names, email, phone, locale), in order.
    contacts: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    changed_at: Mapped[datetime]
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class StaffReplica(Base):
    """A staff member, from the portal's StaffUserChanged: who a quote is assigned to."""

    __tablename__ = "staff_replicas"

    user_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    changed_at: Mapped[datetime]


class QuoteSealKey(Base):
    """The key and self-signed certificate (PKCS#12, EC P-256) signed quotes are sealed
    under, made at the first seal; the newest row is the one in use."""

    __tablename__ = "seal_keys"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    pkcs12: Mapped[bytes] = mapped_column(LargeBinary)
    subject: Mapped[str] = mapped_column(String(300))
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class Invoice(Base):
    """An invoice issued from an accepted quote: what it bills (the lines the client took,
    their sections and the totals by VAT rate) is a snapshot taken at issue and never
    changes after, whatever happens to the quote or the catalogue. An accounting record:
    it stays when its client is deleted."""

    __tablename__ = "invoices"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # From the settings' invoice pattern, in the issuing transaction: no gap, no repeat.
    number: Mapped[str] = mapped_column(String(60), unique=True)
    # A quote is invoiced once; an invoice keeps the quote it bills from being deleted.
    quote_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("quotes.id", ondelete="RESTRICT"), unique=True
    )
    client_id: Mapped[uuid.UUID] = mapped_column(index=True)
    contact_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    title: Mapped[str] = mapped_column(String(200))
    currency: Mapped[str] = mapped_column(String(3))
    locale: Mapped[str] = mapped_column(String(2))
    issue_date: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date)
    total_without_tax: Mapped[Decimal] = mapped_column(Numeric(15, 3))
    total_with_tax: Mapped[Decimal] = mapped_column(Numeric(15, 3))
    # The snapshot billed: sections, lines (optional ones not chosen left out) and totals,
    # amounts as strings (``invoices.schemas.BilledContent``).
    lines: Mapped[dict[str, Any]] = mapped_column(JSON)
    # issued, paid or void (``invoices.statuses``).
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The staff member who issued it; none when an API key did.
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)


class QuoteAttachment(Base):
    """A file staff attach to a quote (a plan, a brochure, photos), read by its client from
    the online quote. Its content is in the service's blob store at ``blob_key``."""

    __tablename__ = "quote_attachments"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    quote_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("quotes.id", ondelete="CASCADE"), index=True
    )
    # Sanitised (``portico.kit.downloads.safe_file_name``): what the download is saved as.
    file_name: Mapped[str] = mapped_column(String(255))
    # Read from the content, never the browser's word.
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    blob_key: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The staff member who attached it; none when an API key did.
    created_by: Mapped[uuid.UUID | None] = mapped_column(Uuid)
