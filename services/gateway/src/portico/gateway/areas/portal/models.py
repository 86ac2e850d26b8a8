"""What the portal's pages read of its API's answers (``api.PortalApi``): only the fields
they use, and ids. A field the portal adds later is ignored; ids stay strings, as in URLs."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, JsonValue

# Staff users are identity's too (the core reads the one logged in).
from portico.gateway.apis.identity import Branding, StaffUser

__all__ = [
    "Address",
    "ApiKey",
    "AttributeDefinition",
    "Change",
    "Client",
    "Contact",
    "CreatedApiKey",
    "FieldChange",
    "Invitation",
    "Link",
    "Member",
    "Message",
    "Note",
    "Organisation",
    "RejectedValue",
    "StaffUser",
    "Task",
    "Workspace",
    "WorkspaceFile",
]


class Organisation(Branding):
    """The organisation's settings (admins), besides what every layout shows."""

    sender_email: str | None = None
    sender_name: str | None = None
    default_locale: str
    default_country: str


# --- Clients --------------------------------------------------------------------------------


class Contact(BaseModel):
    id: str
    first_name: str
    last_name: str
    email: str
    phone: str | None = None
    role: str | None = None
    locale: str
    # none, invited, expired or active.
    portal_status: str = "none"

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Address(BaseModel):
    line1: str | None = None
    line2: str | None = None
    postal_code: str | None = None
    city: str | None = None
    region: str | None = None
    country: str | None = None


class Client(BaseModel):
    id: str
    # company or individual.
    kind: str
    name: str
    legal_id: str | None = None
    address: Address | None = None
    phone: str | None = None
    website: str | None = None
    notes: str | None = None
    tags: list[str] = []
    assigned_staff_id: str | None = None
    # Custom attributes by key: text, number, boolean (a date is its ISO text).
    attributes: dict[str, JsonValue] = {}
    contacts: list[Contact] = []
    portal_status: str = "none"
    updated_at: datetime
    # When a contact last posted a message, uploaded a file or completed a task.
    last_activity_at: datetime | None = None
    # Every required document accepted (the documents service's word); None until it said.
    documents_complete: bool | None = None


class FieldChange(BaseModel):
    """One field of a client changed: ``field`` as ``address.city``, ``attributes.<key>``,
    ``contacts.<id>.<field>``."""

    field: str
    old: JsonValue = None
    new: JsonValue = None


class RejectedValue(BaseModel):
    """A value a signed document carried that the client's rules refused."""

    field: str = ""
    value: JsonValue = None
    reason: str | None = None


class Change(BaseModel):
    """An entry of a client's history."""

    id: str
    at: datetime
    # staff, document, api_key, system or client.
    origin_kind: str
    origin_id: str | None = None
    summary: str
    changes: list[FieldChange] = []
    rejected: list[RejectedValue] = []


class AttributeDefinition(BaseModel):
    id: str
    key: str
    label: str
    # text, number, date, boolean or choice.
    type: str
    choices: list[str] = []


class Invitation(BaseModel):
    id: str
    client_id: str
    client_name: str
    contact_id: str
    contact_name: str
    expires_at: datetime


# --- Workspaces -----------------------------------------------------------------------------


class Member(BaseModel):
    """A contact a workspace is shared with."""

    contact_id: str
    name: str


class Workspace(BaseModel):
    id: str
    client_id: str
    name: str
    project_name: str | None = None
    clients_can_upload: bool
    archived_at: datetime | None = None
    members: list[Member] = []


class Item(BaseModel):
    """What every note, link, file, task and message of a workspace has: its author."""

    id: str
    # staff (a staff user) or client (a contact).
    author_kind: str
    author_id: str | None = None
    created_at: datetime


class Note(Item):
    title: str
    # Sanitised by the portal: safe to render.
    body_html: str
    updated_at: datetime


class Link(Item):
    title: str
    url: str


class WorkspaceFile(Item):
    name: str
    # In bytes.
    size: int


class Task(Item):
    title: str
    # Plain text; a task asked for from a quote ends with the quote's link.
    description: str | None = None
    due_on: date | None = None
    # staff or contact, when it is assigned.
    assignee_kind: str | None = None
    assignee_id: str | None = None
    done_at: datetime | None = None


class Message(Item):
    author_name: str
    body: str


class WorkspaceContents(BaseModel):
    """Everything a workspace's page shows, read at once; the latest messages oldest first."""

    notes: list[Note]
    links: list[Link]
    files: list[WorkspaceFile]
    tasks: list[Task]
    messages: list[Message]


# --- API keys -------------------------------------------------------------------------------


class ApiKey(BaseModel):
    id: str
    name: str
    # The key's first characters, to tell keys apart.
    prefix: str
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None


class CreatedApiKey(ApiKey):
    # The secret itself: in this answer only.
    key: str
