"""The portal's tables: the data it owns.

One module on purpose: the tables reference each other (a workspace's members are
contacts, a client's assignee is a staff user) and Alembic compares all of them at once.
Every area's use cases live in their own package (``identity``, ``clients``, ...).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, Literal

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, String, Text, Uuid
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from portico.kit.auth.capabilities import CapabilityTokenColumns
from portico.kit.db import UTCDateTime, new_metadata, utcnow

AccountKind = Literal["staff", "client"]


class Base(DeclarativeBase):
    metadata = new_metadata()
    type_annotation_map = {datetime: UTCDateTime, uuid.UUID: Uuid}


# --- Identity -------------------------------------------------------------------------------


class StaffUser(Base):
    """Someone of the organisation who works in Portico."""

    __tablename__ = "staff_users"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # Stored lower-cased: logins compare with an index, not a function.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(40))
    locale: Mapped[str] = mapped_column(String(5), default="en")
    role: Mapped[str] = mapped_column(String(10))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    last_login_at: Mapped[datetime | None]

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class ClientLogin(Base):
    """A person's login to the client portal: one email and one password, whichever clients
    they are a contact of (an accountant, a freelancer working for several companies)."""

    __tablename__ = "client_logins"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # Stored lower-cased: the address the person logs in with, one login per address.
    email: Mapped[str] = mapped_column(String(320), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]


class ClientAccount(Base):
    """A contact's access to the client portal, made when they accept their invitation.

    One per contact, so one per client a person reaches: revoking it (or removing the
    contact) ends the access at that client only; the person's login keeps the others.
    """

    __tablename__ = "client_accounts"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    contact_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), unique=True
    )
    login_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("client_logins.id", ondelete="CASCADE"), index=True
    )
    joined_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When the person last opened the portal at this client: a login lands on the latest.
    last_login_at: Mapped[datetime | None]

    contact: Mapped[Contact] = relationship(back_populates="account", lazy="raise")


class AuthSession(Base):
    """A login: the refresh token that renews it, and the ``jti`` of its access tokens."""

    __tablename__ = "auth_sessions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    account_kind: Mapped[AccountKind] = mapped_column(String(10))
    # A staff user's id, or a client login's (the person).
    account_id: Mapped[uuid.UUID] = mapped_column(index=True)
    # A client session's access (ClientAccount): its tokens speak for that one client, for
    # the session's whole life (switching client opens another session).
    client_account_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    refresh_token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # A refresh token used twice was stolen: its previous value ends the session.
    previous_refresh_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    refreshed_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))


class LoginFailure(Base):
    """A failed login, counted per account and per address by the brute-force guard."""

    __tablename__ = "login_failures"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    email: Mapped[str] = mapped_column(String(320), index=True)
    address: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class PasswordReset(CapabilityTokenColumns, Base):
    """A one-use, expiring link to choose a new password."""

    __tablename__ = "password_resets"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    account_kind: Mapped[AccountKind] = mapped_column(String(10))
    account_id: Mapped[uuid.UUID] = mapped_column(index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiKey(Base):
    """A key an internal system exchanges for short-lived access tokens with its scopes."""

    __tablename__ = "api_keys"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    name: Mapped[str] = mapped_column(String(100))
    # The first characters of the key, shown in lists so people can tell keys apart.
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class Organisation(Base):
    """The organisation's settings; one row, id 1."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    name: Mapped[str] = mapped_column(String(200))
    logo_key: Mapped[str | None] = mapped_column(String(300))
    logo_content_type: Mapped[str | None] = mapped_column(String(100))
    brand_colour: Mapped[str | None] = mapped_column(String(7))
    sender_email: Mapped[str | None] = mapped_column(String(320))
    sender_name: Mapped[str | None] = mapped_column(String(200))
    default_locale: Mapped[str] = mapped_column(String(5), default="en")
    default_country: Mapped[str] = mapped_column(String(2), default="FR")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


# --- Clients --------------------------------------------------------------------------------


class Client(Base):
    """A company or an individual the organisation serves."""

    __tablename__ = "clients"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200), index=True)
    legal_id: Mapped[str | None] = mapped_column(String(64))
    address: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    phone: Mapped[str | None] = mapped_column(String(40))
    website: Mapped[str | None] = mapped_column(String(300))
    notes: Mapped[str | None] = mapped_column(Text)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    assigned_staff_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("staff_users.id", ondelete="SET NULL"), index=True
    )
    attributes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # The last time one of its contacts did something in a workspace (a message, a file, a
    # task done): the staff dashboard's recent activity. Kept apart from ``updated_at``,
    # which says when the client's record changed.
    last_activity_at: Mapped[datetime | None]
    # Where the client stands for the documents asked of them, as the documents service
    # last announced it (ClientDocumentStates): NULL until it has. Kept here so the client
    # list shows and filters it without a call per row.
    documents_complete: Mapped[bool | None] = mapped_column(index=True)
    documents_as_of: Mapped[datetime | None]

    contacts: Mapped[list[Contact]] = relationship(
        back_populates="client",
        lazy="raise",
        cascade="all, delete-orphan",
        order_by="Contact.created_at",
    )


class ClientDocumentState(Base):
    """The state of one document type for a client (missing, in_review, accepted, rejected,
    expired), from the documents service's last ClientDocumentStates: what the client
    list filters on ("who has not given their ID card")."""

    __tablename__ = "client_document_states"
    __table_args__ = (Index("ix_client_document_states_type_state", "document_type_id", "state"),)

    client_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("clients.id", ondelete="CASCADE"), primary_key=True
    )
    document_type_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    state: Mapped[str] = mapped_column(String(20))


class Contact(Base):
    """A person at a client, who may be invited to the client portal."""

    __tablename__ = "contacts"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    client_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("clients.id", ondelete="CASCADE"), index=True
    )
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(320), index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    role: Mapped[str | None] = mapped_column(String(100))
    locale: Mapped[str] = mapped_column(String(5), default="en")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    client: Mapped[Client] = relationship(back_populates="contacts", lazy="raise")
    account: Mapped[ClientAccount | None] = relationship(
        back_populates="contact", lazy="raise", cascade="all, delete-orphan"
    )

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class AttributeDefinition(Base):
    """A custom client attribute an admin defined (e.g. VAT number, number of employees)."""

    __tablename__ = "attribute_definitions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    key: Mapped[str] = mapped_column(String(50), unique=True)
    label: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(10))
    choices: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ClientChange(Base):
    """One entry of a client's history: what changed, who or what changed it, what was refused."""

    __tablename__ = "client_changes"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    client_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("clients.id", ondelete="CASCADE"), index=True
    )
    at: Mapped[datetime] = mapped_column(default=utcnow)
    # "staff", "document", "api_key" or "client", with the id in origin_id.
    origin_kind: Mapped[str] = mapped_column(String(20))
    origin_id: Mapped[str | None] = mapped_column(String(64))
    summary: Mapped[str] = mapped_column(String(40))
    changes: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    rejected: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class Invitation(CapabilityTokenColumns, Base):
    """An invitation of a contact to the client portal; re-sending replaces the link."""

    __tablename__ = "invitations"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    client_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("clients.id", ondelete="CASCADE"), index=True
    )
    contact_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), index=True
    )
    invited_by: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


# --- Workspaces -----------------------------------------------------------------------------


class Workspace(Base):
    """A client's space for one project: notes, links, files, tasks and messages."""

    __tablename__ = "workspaces"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    client_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("clients.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    project_name: Mapped[str | None] = mapped_column(String(200))
    clients_can_upload: Mapped[bool] = mapped_column(Boolean, default=True)
    archived_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class WorkspaceMember(Base):
    """A contact a workspace is shared with."""

    __tablename__ = "workspace_members"

    workspace_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), primary_key=True
    )
    contact_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    shared_at: Mapped[datetime] = mapped_column(default=utcnow)


class _WorkspaceItem:
    """Columns every item of a workspace has: its id, its workspace, who made it and when."""

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)
    # "staff" (a staff user's id) or "client" (a contact's id).
    author_kind: Mapped[str] = mapped_column(String(10))
    author_id: Mapped[uuid.UUID | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Note(_WorkspaceItem, Base):
    __tablename__ = "workspace_notes"

    workspace_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    # Sanitised HTML: only what the allow-list keeps is ever stored.
    body_html: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class WorkspaceLink(_WorkspaceItem, Base):
    __tablename__ = "workspace_links"

    workspace_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(2000))


class WorkspaceFile(_WorkspaceItem, Base):
    __tablename__ = "workspace_files"

    workspace_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    blob_key: Mapped[str] = mapped_column(String(300))


class Task(_WorkspaceItem, Base):
    __tablename__ = "workspace_tasks"

    workspace_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    # Plain text; a task asked for from a quote ends with the quote's link.
    description: Mapped[str | None] = mapped_column(Text)
    due_on: Mapped[date | None]
    # "staff" (a staff user's id) or "contact" (a contact's id); None when unassigned.
    assignee_kind: Mapped[str | None] = mapped_column(String(10))
    assignee_id: Mapped[uuid.UUID | None]
    done_at: Mapped[datetime | None]


class Message(_WorkspaceItem, Base):
    __tablename__ = "workspace_messages"

    workspace_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    author_name: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
