"""Request and response bodies of the workspaces API."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints, WithJsonSchema

_WORKSPACE_ID = "7e8f9a0b-1c2d-4e3f-8a4b-5c6d7e8f9a0b"
_CLIENT_ID = "3f2b7c1e-8a4d-4e59-9c1a-2b6d7e8f9a01"
_CONTACT_ID = "5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f"
_STAFF_ID = "9a1b2c3d-4e5f-4a6b-8c7d-0e1f2a3b4c5d"

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
TaskTitle = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
AuthorKind = Literal["staff", "client"]
AssigneeKind = Literal["staff", "contact"]


# The whole rule, so that the OpenAPI document states it exactly: http(s), a host (no user
# or password before it), an optional port up to 65535, then anything but spaces.
_PORT = r"(?:[0-9]{1,4}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])"
WEB_URL_PATTERN = rf"^[Hh][Tt][Tt][Pp][Ss]?://[^\s/?#@:]+(?::{_PORT})?(?:[/?#][^\s]*)?$"


def _web_url(value: str) -> str:
    if not re.fullmatch(WEB_URL_PATTERN, value):
        raise ValueError("must be an http:// or https:// address with a host, without spaces")
    return value


WebUrl = Annotated[
    str,
    StringConstraints(min_length=1, max_length=2000),
    AfterValidator(_web_url),
    WithJsonSchema({"type": "string", "maxLength": 2000, "pattern": WEB_URL_PATTERN}),
]


# --- Workspaces -----------------------------------------------------------------------------


class WorkspaceIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Rénovation atelier",
                    "project_name": "Atelier 2027",
                    "clients_can_upload": True,
                    "contact_ids": [_CONTACT_ID],
                }
            ]
        },
    )

    name: Name
    project_name: Name | None = None
    clients_can_upload: bool = True
    contact_ids: list[uuid.UUID] = Field(
        default_factory=list,
        max_length=200,
        description=(
            "Contacts of the client to share it with; none by default. Those with portal "
            "access are told (WorkspaceShared), the others find it once they join"
        ),
    )


class WorkspacePatch(BaseModel):
    """Fields to change; those left out stay as they are."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"name": "Rénovation atelier", "archived": True}]},
    )

    name: Name | None = None
    project_name: Name | None = Field(default=None, description="null removes it")
    clients_can_upload: bool | None = None
    archived: bool | None = Field(
        default=None, description="true archives it (clients no longer see it); false restores"
    )


class MembersIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"contact_ids": [_CONTACT_ID]}]}
    )

    contact_ids: list[uuid.UUID] = Field(
        max_length=200,
        description="Every contact it is shared with from now on; those left out lose access",
    )


class MemberOut(BaseModel):
    contact_id: uuid.UUID
    name: str
    email: str
    shared_at: datetime


class WorkspaceOut(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": _WORKSPACE_ID,
                    "client_id": _CLIENT_ID,
                    "name": "Rénovation atelier",
                    "project_name": "Atelier 2027",
                    "clients_can_upload": True,
                    "archived_at": None,
                    "members": [
                        {
                            "contact_id": _CONTACT_ID,
                            "name": "Camille Durand",
                            "email": "camille@atelier-lumiere.example",
                            "shared_at": "2026-11-25T10:00:00Z",
                        }
                    ],
                    "created_at": "2026-11-25T10:00:00Z",
                    "updated_at": "2026-11-25T10:00:00Z",
                }
            ]
        }
    )

    id: uuid.UUID
    client_id: uuid.UUID
    name: str
    project_name: str | None
    clients_can_upload: bool
    archived_at: datetime | None
    members: list[MemberOut]
    created_at: datetime
    updated_at: datetime


# --- Notes ----------------------------------------------------------------------------------


class NoteIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "Compte rendu du 25 novembre",
                    "body_html": '<p>Plans validés. <a href="https://example.com/plans">Voir</a></p>',
                }
            ]
        },
    )

    title: Title
    body_html: str = Field(
        max_length=200_000,
        description="HTML; only p, br, strong, em, u, s, ul, ol, li, a, h2, h3, blockquote, "
        "code and pre are kept, and links only to http, https or mailto",
    )


class NotePatch(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"body_html": "<p>Mis à jour.</p>"}]}
    )

    title: Title | None = None
    body_html: str | None = Field(default=None, max_length=200_000)


class ItemOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    author_kind: AuthorKind = Field(description="staff (a staff user) or client (a contact)")
    author_id: uuid.UUID | None
    created_at: datetime


class NoteOut(ItemOut):
    title: str
    body_html: str = Field(description="Sanitised HTML, safe to render")
    updated_at: datetime


# --- Links ----------------------------------------------------------------------------------


class LinkIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"title": "Maquettes Figma", "url": "https://figma.com/file/abc"}]
        },
    )

    title: Title
    url: WebUrl


class LinkOut(ItemOut):
    title: str
    url: str


# --- Files ----------------------------------------------------------------------------------


class FileOut(ItemOut):
    name: str
    content_type: str
    size: int = Field(description="In bytes")
    sha256: str


# --- Tasks ----------------------------------------------------------------------------------


class Assignee(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: AssigneeKind
    id: uuid.UUID = Field(description="The staff user's id, or a member contact's id")


class TaskIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "title": "Envoyer le Kbis",
                    "due_on": "2026-12-05",
                    "assignee": {"kind": "contact", "id": _CONTACT_ID},
                }
            ]
        },
    )

    title: TaskTitle
    due_on: date | None = None
    assignee: Assignee | None = None


class TaskPatch(BaseModel):
    """Fields to change; a client may only send ``done``, on a task assigned to them."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"done": True}]})

    title: TaskTitle | None = None
    due_on: date | None = None
    assignee: Assignee | None = Field(default=None, description="null unassigns it")
    done: bool | None = None


class TaskOut(ItemOut):
    title: str
    description: str | None = Field(
        default=None, description="Plain text; a task asked for from a quote ends with its link"
    )
    due_on: date | None
    assignee_kind: AssigneeKind | None
    assignee_id: uuid.UUID | None
    done_at: datetime | None


# --- Messages -------------------------------------------------------------------------------


class MessageIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"body": "Voici les plans mis à jour."}]},
    )

    body: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=10_000)]


class MessageOut(ItemOut):
    author_name: str
    body: str


class WorkspaceContentsOut(BaseModel):
    """Everything a workspace's page shows, read at once."""

    notes: list[NoteOut]
    links: list[LinkOut]
    files: list[FileOut]
    tasks: list[TaskOut]
    messages: list[MessageOut] = Field(description="The thread's latest messages, oldest first")
