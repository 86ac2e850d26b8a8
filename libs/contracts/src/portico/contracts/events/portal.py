"""Events emitted by the portal service."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, Literal
from uuid import UUID

from pydantic import ConfigDict, EmailStr, Field

from portico.contracts.envelope import Event
from portico.contracts.events.common import (
    Address,
    BlobKey,
    Link,
    Locale,
    Person,
    SecretLink,
    ValueObject,
)

__all__ = [
    "ClientContact",
    "ClientCreated",
    "ClientDeleted",
    "ClientInvited",
    "ClientJoined",
    "ClientUpdated",
    "MessagePosted",
    "MessageRecipient",
    "OrganisationUpdated",
    "PasswordResetRequested",
    "StaffUserChanged",
    "TaskAssigned",
    "WorkspaceShared",
]

AttributeValue = str | int | float | bool | None
_CLIENT_EXAMPLE: dict[str, Any] = {
    "client_id": "3f2b7c1e-8a4d-4e59-9c1a-2b6d7e8f9a01",
    "kind": "company",
    "name": "Atelier Lumière",
    "legal_id": "FR40303265045",
    "address": {
        "line1": "12 rue des Arts",
        "postal_code": "75003",
        "city": "Paris",
        "country": "FR",
    },
    "phone": "+33 1 23 45 67 89",
    "website": "https://atelier-lumiere.example",
    "tags": ["architecture"],
    "assigned_staff_id": "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d",
    "attributes": {"vat_number": "FR40303265045"},
    "contacts": [
        {
            "id": "5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f",
            "first_name": "Camille",
            "last_name": "Durand",
            "email": "camille@atelier-lumiere.example",
            "locale": "fr",
            "portal_status": "none",
        }
    ],
}


class OrganisationUpdated(Event):
    """The organisation's settings changed; the notifier keeps them for branding."""

    event_type = "portico.portal.organisation_updated.v1"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Studio Portico",
                    "brand_colour": "#2f5bea",
                    "sender_email": "bonjour@studio.example",
                    "sender_name": "Studio Portico",
                    "default_locale": "fr",
                    "default_country": "FR",
                }
            ]
        }
    )

    name: str
    logo_key: BlobKey | None = None
    logo_url: Link | None = None
    brand_colour: str | None = Field(default=None, pattern=r"^#[0-9a-fA-F]{6}$")
    sender_email: EmailStr | None = None
    sender_name: str | None = None
    default_locale: Locale = "en"
    default_country: str = Field(default="FR", description="ISO 3166-1 alpha-2, for phone numbers")


class StaffUserChanged(Event):
    """A staff user was created or changed contact details, role or status."""

    event_type = "portico.portal.staff_user_changed.v1"
    subject_field = "user_id"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "user_id": "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d",
                    "email": "lea@studio.example",
                    "first_name": "Léa",
                    "last_name": "Bernard",
                    "locale": "fr",
                    "role": "staff",
                    "active": True,
                }
            ]
        }
    )

    user_id: UUID
    email: EmailStr
    first_name: str
    last_name: str
    phone: str | None = None
    locale: Locale = "en"
    role: Literal["admin", "staff"]
    active: bool = True


class ClientContact(ValueObject):
    id: UUID
    first_name: str
    last_name: str
    email: EmailStr
    phone: str | None = None
    role: str | None = None
    locale: Locale = "en"
    portal_status: Literal["none", "invited", "active"] = "none"


class _ClientReplica(Event):
    """The client as the other services keep it (event-carried state transfer)."""

    subject_field = "client_id"

    client_id: UUID
    kind: Literal["company", "individual"] = "company"
    name: str
    legal_id: str | None = None
    address: Address | None = None
    phone: str | None = None
    website: str | None = None
    tags: list[str] = Field(default_factory=list)
    assigned_staff_id: UUID | None = None
    attributes: dict[str, AttributeValue] = Field(
        default_factory=dict, description="Custom attributes defined by the organisation"
    )
    contacts: list[ClientContact] = Field(default_factory=list)


class ClientCreated(_ClientReplica):
    """A client was created, with its contacts; every service starts its replica."""

    event_type = "portico.portal.client_created.v1"
    model_config = ConfigDict(json_schema_extra={"examples": [_CLIENT_EXAMPLE]})


class ClientUpdated(_ClientReplica):
    """A client or one of its contacts changed; carries the whole new replica."""

    event_type = "portico.portal.client_updated.v1"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {**_CLIENT_EXAMPLE, "changed_fields": ["address.city"], "origin": "document:77"}
            ]
        }
    )

    changed_fields: list[str] = Field(default_factory=list)
    origin: str | None = Field(
        default=None, description="Who changed it: a staff user id, or document:<submission id>"
    )


class ClientDeleted(Event):
    """A client was deleted: every service purges what it holds of it."""

    event_type = "portico.portal.client_deleted.v1"
    subject_field = "client_id"
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"client_id": "3f2b7c1e-8a4d-4e59-9c1a-2b6d7e8f9a01"}]}
    )

    client_id: UUID


class ClientInvited(Event):
    """A contact was invited to the client portal; the notifier emails the accept link."""

    event_type = "portico.portal.client_invited.v1"
    subject_field = "client_id"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "client_id": "3f2b7c1e-8a4d-4e59-9c1a-2b6d7e8f9a01",
                    "client_name": "Atelier Lumière",
                    "contact": {
                        "id": "5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f",
                        "name": "Camille Durand",
                        "email": "camille@atelier-lumiere.example",
                        "locale": "fr",
                    },
                    "invitation_id": "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e",
                    "accept_url": "http://127.0.0.1:8000/invitations/accept?token=…",
                    "expires_at": "2026-12-01T09:00:00Z",
                    "invited_by": "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d",
                }
            ]
        }
    )

    client_id: UUID
    client_name: str
    contact: Person
    invitation_id: UUID
    accept_url: SecretLink
    expires_at: datetime
    invited_by: UUID | None = None


class ClientJoined(Event):
    """An invited contact set a password: their portal account is active."""

    event_type = "portico.portal.client_joined.v1"
    subject_field = "client_id"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "client_id": "3f2b7c1e-8a4d-4e59-9c1a-2b6d7e8f9a01",
                    "contact_id": "5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f",
                    "account_id": "6d7e8f9a-0b1c-4d2e-8f3a-4b5c6d7e8f9a",
                    "joined_at": "2026-11-25T10:00:00Z",
                }
            ]
        }
    )

    client_id: UUID
    contact_id: UUID
    account_id: UUID
    joined_at: datetime


class PasswordResetRequested(Event):
    """Someone asked to reset their password; the notifier emails the one-use link."""

    event_type = "portico.portal.password_reset_requested.v1"
    subject_field = "user_id"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "account_kind": "staff",
                    "user_id": "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d",
                    "email": "lea@studio.example",
                    "name": "Léa Bernard",
                    "locale": "fr",
                    "reset_url": "http://127.0.0.1:8000/password/reset?token=…",
                    "expires_at": "2026-11-25T11:00:00Z",
                }
            ]
        }
    )

    account_kind: Literal["staff", "client"]
    user_id: UUID
    email: EmailStr
    name: str
    locale: Locale = "en"
    reset_url: SecretLink
    expires_at: datetime


class WorkspaceShared(Event):
    """Staff shared a workspace with contacts of its client."""

    event_type = "portico.portal.workspace_shared.v1"
    subject_field = "workspace_id"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "workspace_id": "7e8f9a0b-1c2d-4e3f-8a4b-5c6d7e8f9a0b",
                    "client_id": "3f2b7c1e-8a4d-4e59-9c1a-2b6d7e8f9a01",
                    "workspace_name": "Rénovation atelier",
                    "project_name": "Atelier 2027",
                    "contacts": [
                        {
                            "id": "5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f",
                            "name": "Camille Durand",
                            "email": "camille@atelier-lumiere.example",
                            "locale": "fr",
                        }
                    ],
                    "shared_by": "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d",
                    "workspace_url": "http://127.0.0.1:8000/portal/workspaces/7e8f9a0b",
                }
            ]
        }
    )

    workspace_id: UUID
    client_id: UUID
    workspace_name: str
    project_name: str | None = None
    contacts: list[Person]
    shared_by: UUID | None = None
    workspace_url: Link


class MessageRecipient(Person):
    kind: Literal["staff", "contact"]


class MessagePosted(Event):
    """A message was posted in a workspace thread; the other side hears of it."""

    event_type = "portico.portal.message_posted.v1"
    subject_field = "workspace_id"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "message_id": "8f9a0b1c-2d3e-4f4a-8b5c-6d7e8f9a0b1c",
                    "workspace_id": "7e8f9a0b-1c2d-4e3f-8a4b-5c6d7e8f9a0b",
                    "client_id": "3f2b7c1e-8a4d-4e59-9c1a-2b6d7e8f9a01",
                    "workspace_name": "Rénovation atelier",
                    "author_kind": "client",
                    "author_id": "5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f",
                    "author_name": "Camille Durand",
                    "excerpt": "Voici les plans mis à jour.",
                    "recipients": [
                        {
                            "kind": "staff",
                            "id": "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d",
                            "name": "Léa Bernard",
                            "email": "lea@studio.example",
                            "locale": "fr",
                        }
                    ],
                    "workspace_url": "http://127.0.0.1:8000/workspaces/7e8f9a0b",
                }
            ]
        }
    )

    message_id: UUID
    workspace_id: UUID
    client_id: UUID
    workspace_name: str
    author_kind: Literal["staff", "client"]
    author_id: UUID
    author_name: str
    excerpt: str = Field(max_length=500, description="Plain text, shortened")
    recipients: list[MessageRecipient]
    workspace_url: Link


class TaskAssigned(Event):
    """A workspace task was assigned to a staff member or a contact."""

    event_type = "portico.portal.task_assigned.v1"
    subject_field = "task_id"
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "task_id": "9a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d",
                    "workspace_id": "7e8f9a0b-1c2d-4e3f-8a4b-5c6d7e8f9a0b",
                    "client_id": "3f2b7c1e-8a4d-4e59-9c1a-2b6d7e8f9a01",
                    "title": "Envoyer le Kbis",
                    "due_on": "2026-12-05",
                    "assignee_kind": "contact",
                    "assignee": {
                        "id": "5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f",
                        "name": "Camille Durand",
                        "email": "camille@atelier-lumiere.example",
                        "locale": "fr",
                    },
                    "workspace_url": "http://127.0.0.1:8000/workspaces/7e8f9a0b",
                }
            ]
        }
    )

    task_id: UUID
    workspace_id: UUID
    client_id: UUID
    title: str
    due_on: date | None = None
    assignee_kind: Literal["staff", "contact"]
    assignee: Person
    assigned_by: UUID | None = None
    workspace_url: Link
