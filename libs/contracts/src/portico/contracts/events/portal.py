"""Events emitted by the portal service: the organisation, staff, clients and workspaces."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal, Self
from uuid import UUID

from pydantic import EmailStr, Field, model_validator

from portico.contracts.envelope import Event
from portico.contracts.events.common import (
    Address,
    BlobKey,
    CountryCode,
    Link,
    Locale,
    Person,
    SecretLink,
    Timestamp,
    ValueObject,
    examples,
    require_reachable,
)

__all__ = [
    "AttributeValue",
    "ClientContact",
    "ClientCreated",
    "ClientDeleted",
    "ClientInvited",
    "ClientJoined",
    "ClientUpdated",
    "FileUploaded",
    "MessagePosted",
    "MessageRecipient",
    "OrganisationUpdated",
    "PasswordResetRequested",
    "StaffUserChanged",
    "TaskAssigned",
    "TaskCompleted",
    "WorkspaceShared",
]

AttributeValue = str | int | float | bool | None

_STAFF_ID = "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d"
_CLIENT_ID = "3f2b7c1e-8a4d-4e59-9c1a-2b6d7e8f9a01"
_CONTACT: dict[str, Any] = {
    "id": "5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f",
    "name": "Camille Durand",
    "email": "camille@atelier-lumiere.example",
    "locale": "fr",
}
_WORKSPACE_ID = "7e8f9a0b-1c2d-4e3f-8a4b-5c6d7e8f9a0b"
_WORKSPACE_URL = "http://127.0.0.1:8000/portal/workspaces/7e8f9a0b-1c2d-4e3f-8a4b-5c6d7e8f9a0b"
_STAFF_RECIPIENT: dict[str, Any] = {
    "kind": "staff",
    "id": _STAFF_ID,
    "name": "Léa Bernard",
    "email": "lea@studio.example",
    "locale": "fr",
}
_CLIENT: dict[str, Any] = {
    "client_id": _CLIENT_ID,
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
    "assigned_staff_id": _STAFF_ID,
    "attributes": {"vat_number": "FR40303265045", "employees": 12, "newsletter": True},
    "contacts": [
        {
            "id": "5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f",
            "first_name": "Camille",
            "last_name": "Durand",
            "email": "camille@atelier-lumiere.example",
            "phone": "+33 6 12 34 56 78",
            "role": "Gérante",
            "locale": "fr",
            "portal_status": "active",
        }
    ],
}


class OrganisationUpdated(Event):
    """Emitted when an admin changes the organisation's settings (name, logo, colour, sender).

    Consumed by the notifier, which keeps them to brand and sign every message it sends.
    """

    event_type = "portico.portal.organisation_updated.v1"
    model_config = examples(
        {
            "name": "Studio Portico",
            "logo_key": "organisation/logo.png",
            "logo_url": "http://127.0.0.1:8000/branding/logo.png",
            "brand_colour": "#2f5bea",
            "sender_email": "bonjour@studio.example",
            "sender_name": "Studio Portico",
            "default_locale": "fr",
            "default_country": "FR",
        }
    )

    name: str
    logo_key: BlobKey | None = Field(default=None, description="The logo in the blob store")
    logo_url: Link | None = Field(default=None, description="A public address of the logo")
    brand_colour: str | None = Field(
        default=None, pattern=r"^#[0-9a-fA-F]{6}$", description="#rrggbb"
    )
    sender_email: EmailStr | None = Field(default=None, description="From address of messages")
    sender_name: str | None = Field(default=None, description="From name of messages")
    default_locale: Locale = Field(default="en", description="For people with no locale")
    default_country: CountryCode = Field(
        default="FR", description="ISO 3166-1 alpha-2, to read phone numbers without a prefix"
    )


class StaffUserChanged(Event):
    """Emitted when a staff user is created or changes contact details, role or status.

    Consumed by the notifier, which keeps staff contact details to reach them.
    """

    event_type = "portico.portal.staff_user_changed.v1"
    subject_field = "user_id"
    model_config = examples(
        {
            "user_id": _STAFF_ID,
            "email": "lea@studio.example",
            "first_name": "Léa",
            "last_name": "Bernard",
            "phone": "+33 6 98 76 54 32",
            "locale": "fr",
            "role": "staff",
            "active": True,
        }
    )

    user_id: UUID
    email: EmailStr
    first_name: str
    last_name: str
    phone: str | None = None
    locale: Locale = "en"
    role: Literal["admin", "staff"]
    active: bool = Field(default=True, description="False once deactivated: send them nothing")


class ClientContact(ValueObject):
    """A person at the client, as every service keeps it."""

    id: UUID
    first_name: str
    last_name: str
    email: EmailStr
    phone: str | None = None
    role: str | None = Field(default=None, description="Their job at the client, free text")
    locale: Locale = "en"
    portal_status: Literal["none", "invited", "active"] = Field(
        default="none", description="Whether they have a portal account yet"
    )


class _ClientReplica(Event):
    """The client as the other services keep it (event-carried state transfer)."""

    subject_field = "client_id"

    client_id: UUID
    kind: Literal["company", "individual"] = "company"
    name: str = Field(description="Company name, or the person's full name")
    legal_id: str | None = Field(
        default=None, description="Company registration or VAT number, as entered"
    )
    address: Address | None = None
    phone: str | None = None
    website: str | None = None
    tags: list[str] = Field(default_factory=list)
    assigned_staff_id: UUID | None = Field(
        default=None, description="The staff user in charge of this client"
    )
    attributes: dict[str, AttributeValue] = Field(
        default_factory=dict, description="Custom attributes defined by the organisation"
    )
    contacts: list[ClientContact] = Field(default_factory=list)


class ClientCreated(_ClientReplica):
    """Emitted when staff create a client (with its contacts).

    Consumed by signing, quotes and documents, which start their replica of the client.
    """

    event_type = "portico.portal.client_created.v1"
    model_config = examples(_CLIENT)


class ClientUpdated(_ClientReplica):
    """Emitted when a client or one of its contacts changes; carries the whole new replica.

    Consumed by signing, quotes and documents, which replace their replica of the client.
    """

    event_type = "portico.portal.client_updated.v1"
    model_config = examples(
        {
            **_CLIENT,
            "changed_fields": ["address.city", "attributes.vat_number"],
            "origin": "document:2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e",
        }
    )

    changed_fields: list[str] = Field(
        default_factory=list,
        description="Dotted paths of what changed, e.g. address.city, attributes.vat_number",
    )
    origin: str | None = Field(
        default=None,
        description="Who changed it: a staff user id, or document:<submission id>",
    )


class ClientDeleted(Event):
    """Emitted when staff delete a client, or an admin erases one (erase: true).

    Consumed by every service holding data of the client, each keeping a tombstone of the
    id so that a late ClientUpdated does not bring it back. A deletion: documents purges
    its files and rows, signing the submissions with their files, quotes its drafts (every
    quote sent and every invoice stay: commercial records), the notifier its messages to
    the contacts. An erasure: every service removes every row and file about the client,
    commercial records included (docs/erasure.md). It names the client by its id alone:
    the notice of an erasure carries no personal data.
    """

    event_type = "portico.portal.client_deleted.v1"
    subject_field = "client_id"
    model_config = examples({"client_id": _CLIENT_ID}, {"client_id": _CLIENT_ID, "erase": True})

    client_id: UUID
    erase: bool = Field(
        default=False,
        description=(
            "The client asked for their personal data to be erased: every service removes "
            "every row and file about them, commercial records included"
        ),
    )


class ClientInvited(Event):
    """Emitted when staff invite a contact to the client portal.

    Consumed by the notifier, which emails the contact the link to accept.
    """

    event_type = "portico.portal.client_invited.v1"
    subject_field = "client_id"
    model_config = examples(
        {
            "client_id": _CLIENT_ID,
            "client_name": "Atelier Lumière",
            "contact": _CONTACT,
            "invitation_id": "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e",
            "accept_url": "http://127.0.0.1:8000/invitations/accept?token=…",
            "expires_at": "2026-12-01T09:00:00Z",
            "invited_by": _STAFF_ID,
        }
    )

    client_id: UUID
    client_name: str
    contact: Person = Field(description="The invited contact; an email address is required")
    invitation_id: UUID
    accept_url: SecretLink
    expires_at: Timestamp
    invited_by: UUID | None = Field(default=None, description="The staff user who invited them")

    @model_validator(mode="after")
    def _contact_has_email(self) -> Self:
        require_reachable(self.contact, "email", "invited contact")
        return self


class ClientJoined(Event):
    """Emitted when an invited contact accepts and sets a password: their account is active.

    Consumed by signing, which can send the onboarding documents its rules name.
    """

    event_type = "portico.portal.client_joined.v1"
    subject_field = "client_id"
    model_config = examples(
        {
            "client_id": _CLIENT_ID,
            "contact_id": "5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f",
            "account_id": "6d7e8f9a-0b1c-4d2e-8f3a-4b5c6d7e8f9a",
            "joined_at": "2026-11-25T10:00:00Z",
        }
    )

    client_id: UUID
    contact_id: UUID
    account_id: UUID = Field(description="The contact's new portal account")
    joined_at: Timestamp


class PasswordResetRequested(Event):
    """Emitted when a staff user or a client asks to reset their password.

    Consumed by the notifier, which emails the one-use reset link.
    """

    event_type = "portico.portal.password_reset_requested.v1"
    subject_field = "user_id"
    model_config = examples(
        {
            "account_kind": "staff",
            "user_id": _STAFF_ID,
            "email": "lea@studio.example",
            "name": "Léa Bernard",
            "locale": "fr",
            "reset_url": "http://127.0.0.1:8000/password/reset?token=…",
            "expires_at": "2026-11-25T11:00:00Z",
        }
    )

    account_kind: Literal["staff", "client"]
    user_id: UUID = Field(description="The staff user's or the client account's id")
    email: EmailStr
    name: str
    locale: Locale = "en"
    reset_url: SecretLink
    expires_at: Timestamp


class WorkspaceShared(Event):
    """Emitted when staff share a workspace with contacts of its client who can open it.

    Only contacts with portal access (a portal account) are listed: one shared with before
    they join is not told now, and finds the workspace when they log in. Consumed by the
    notifier, which tells each contact where to find it.
    """

    event_type = "portico.portal.workspace_shared.v1"
    subject_field = "workspace_id"
    model_config = examples(
        {
            "workspace_id": _WORKSPACE_ID,
            "client_id": _CLIENT_ID,
            "workspace_name": "Rénovation atelier",
            "project_name": "Atelier 2027",
            "contacts": [_CONTACT],
            "shared_by": _STAFF_ID,
            "workspace_url": _WORKSPACE_URL,
        }
    )

    workspace_id: UUID
    client_id: UUID
    workspace_name: str
    project_name: str | None = None
    contacts: list[Person] = Field(
        description="The contacts it is now shared with who have portal access"
    )
    shared_by: UUID | None = Field(default=None, description="The staff user who shared it")
    workspace_url: Link


class MessageRecipient(Person):
    """Someone who should hear of something in a workspace (a message, a file, a task done):
    a staff member or a client's contact with portal access."""

    kind: Literal["staff", "contact"]


class MessagePosted(Event):
    """Emitted when someone posts a message in a workspace thread.

    Consumed by the notifier, which tells the other side (staff, or the client's contacts).
    """

    event_type = "portico.portal.message_posted.v1"
    subject_field = "workspace_id"
    model_config = examples(
        {
            "message_id": "8f9a0b1c-2d3e-4f4a-8b5c-6d7e8f9a0b1c",
            "workspace_id": _WORKSPACE_ID,
            "client_id": _CLIENT_ID,
            "workspace_name": "Rénovation atelier",
            "author_kind": "client",
            "author_id": "5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f",
            "author_name": "Camille Durand",
            "excerpt": "Voici les plans mis à jour.",
            "recipients": [_STAFF_RECIPIENT],
            "workspace_url": _WORKSPACE_URL,
        }
    )

    message_id: UUID
    workspace_id: UUID
    client_id: UUID
    workspace_name: str
    author_kind: Literal["staff", "client"]
    author_id: UUID = Field(description="The staff user's or the contact's id")
    author_name: str
    excerpt: str = Field(max_length=500, description="The start of the body, as plain text")
    recipients: list[MessageRecipient] = Field(
        description="The other side: staff, or the members with portal access"
    )
    workspace_url: Link


class TaskAssigned(Event):
    """Emitted when a workspace task is assigned to a staff member or to a contact with
    portal access (a task given to a contact who has not joined is told of no one: it is
    there when they log in).

    Consumed by the notifier, which tells the assignee.
    """

    event_type = "portico.portal.task_assigned.v1"
    subject_field = "task_id"
    model_config = examples(
        {
            "task_id": "9a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d",
            "workspace_id": _WORKSPACE_ID,
            "client_id": _CLIENT_ID,
            "title": "Envoyer le Kbis",
            "due_on": "2026-12-05",
            "assignee_kind": "contact",
            "assignee": _CONTACT,
            "assigned_by": _STAFF_ID,
            "workspace_url": _WORKSPACE_URL,
        }
    )

    task_id: UUID
    workspace_id: UUID
    client_id: UUID
    title: str
    due_on: date | None = Field(default=None, description="The day it is due")
    assignee_kind: Literal["staff", "contact"]
    assignee: Person
    assigned_by: UUID | None = Field(default=None, description="The staff user who assigned it")
    workspace_url: Link


class FileUploaded(Event):
    """Emitted when someone adds a file to a workspace, staff or a client's contact.

    ``recipients`` are the staff who hear of a client's upload (the staff user in charge of
    the client, or else every admin); a staff upload is told to no one, so it has none.
    Consumed by the notifier, which tells them.
    """

    event_type = "portico.portal.file_uploaded.v1"
    subject_field = "workspace_id"
    model_config = examples(
        {
            "file_id": "0c1d2e3f-4a5b-4c6d-8e7f-9a0b1c2d3e4f",
            "workspace_id": _WORKSPACE_ID,
            "client_id": _CLIENT_ID,
            "workspace_name": "Rénovation atelier",
            "file_name": "plans-v3.pdf",
            "content_type": "application/pdf",
            "size_bytes": 482133,
            "uploaded_by_kind": "client",
            "uploaded_by_id": "5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f",
            "uploaded_by_name": "Camille Durand",
            "recipients": [_STAFF_RECIPIENT],
            "workspace_url": _WORKSPACE_URL,
        }
    )

    file_id: UUID
    workspace_id: UUID
    client_id: UUID
    workspace_name: str
    file_name: str = Field(description="The name of the file as stored")
    content_type: str
    size_bytes: int = Field(ge=0)
    uploaded_by_kind: Literal["staff", "client"]
    uploaded_by_id: UUID = Field(description="The staff user's or the contact's id")
    uploaded_by_name: str
    recipients: list[MessageRecipient] = Field(
        description="Who hears of it: staff for a client's upload, no one for a staff upload"
    )
    workspace_url: Link


class TaskCompleted(Event):
    """Emitted when a workspace task is marked done, by staff or by the contact it was
    assigned to (ticked again after being unticked, it is emitted again).

    ``recipients`` are the staff who hear of a client's completion (the staff user in charge
    of the client, or else every admin); a staff completion has none. Consumed by the
    notifier, which tells them.
    """

    event_type = "portico.portal.task_completed.v1"
    subject_field = "task_id"
    model_config = examples(
        {
            "task_id": "9a0b1c2d-3e4f-4a5b-8c6d-7e8f9a0b1c2d",
            "workspace_id": _WORKSPACE_ID,
            "client_id": _CLIENT_ID,
            "workspace_name": "Rénovation atelier",
            "title": "Envoyer le Kbis",
            "completed_by_kind": "client",
            "completed_by_id": "5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f",
            "completed_by_name": "Camille Durand",
            "completed_at": "2026-12-03T14:30:00Z",
            "recipients": [_STAFF_RECIPIENT],
            "workspace_url": _WORKSPACE_URL,
        }
    )

    task_id: UUID
    workspace_id: UUID
    client_id: UUID
    workspace_name: str
    title: str
    completed_by_kind: Literal["staff", "client"]
    completed_by_id: UUID = Field(description="The staff user's or the contact's id")
    completed_by_name: str
    completed_at: Timestamp
    recipients: list[MessageRecipient] = Field(
        description="Who hears of it: staff for a client's completion, no one for staff's"
    )
    workspace_url: Link
