"""Request and response bodies of the clients API.

The same models validate what staff type and what a signed document writes back
(``mapping.py``): one set of rules for a client's data, whoever changes it.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    WithJsonSchema,
)

from portico.contracts.events.common import Locale
from portico.kit.schema import not_nullable

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
ClientKind = Literal["company", "individual"]
# "expired": invited, but the link expired before they accepted.
PortalStatus = Literal["none", "invited", "expired", "active"]
AttributeValue = str | int | float | bool | None


def _country_code(value: str) -> str:
    if len(value) != 2 or not value.isalpha() or not value.isascii():
        raise ValueError("must be a two-letter country code (ISO 3166-1), e.g. FR")
    return value


Country = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_upper=True),
    AfterValidator(_country_code),
    WithJsonSchema({"type": "string", "pattern": "^\\s*[A-Za-z]{2}\\s*$", "examples": ["FR"]}),
]

CONTACT_EXAMPLE: dict[str, Any] = {
    "first_name": "Camille",
    "last_name": "Durand",
    "email": "camille@atelier-lumiere.example",
    "phone": "+33 6 12 34 56 78",
    "role": "Gérante",
    "locale": "fr",
}


class AddressIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    line1: Short | None = None
    line2: Short | None = None
    postal_code: Annotated[str, StringConstraints(strip_whitespace=True, max_length=20)] | None = (
        None
    )
    city: Short | None = None
    region: Short | None = None
    country: Country | None = Field(default=None, description="ISO 3166-1 alpha-2, e.g. FR")


class ContactIn(BaseModel):
    model_config = ConfigDict(json_schema_extra={"examples": [CONTACT_EXAMPLE]})

    first_name: PersonName
    last_name: PersonName
    email: EmailStr
    phone: Phone | None = None
    role: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    locale: Locale = "en"


class ContactPatch(BaseModel):
    """Fields to change; those left out stay as they are."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra=not_nullable(
            "first_name",
            "last_name",
            "email",
            "locale",
            examples=[{"phone": "+33 6 12 34 56 78", "role": "Gérante"}],
        ),
    )

    first_name: PersonName | None = None
    last_name: PersonName | None = None
    email: EmailStr | None = None
    phone: Phone | None = None
    role: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    locale: Locale | None = None


class ClientFields(BaseModel):
    """What staff may set on a client, all optional (a PATCH body)."""

    model_config = ConfigDict(extra="forbid")

    kind: ClientKind | None = None
    name: Name | None = None
    legal_id: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] | None = None
    address: AddressIn | None = None
    phone: Phone | None = None
    website: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] | None = None
    notes: Annotated[str, StringConstraints(max_length=10_000)] | None = None
    tags: list[Tag] | None = Field(default=None, max_length=20)
    assigned_staff_id: uuid.UUID | None = None
    attributes: dict[str, AttributeValue] | None = Field(
        default=None, description="Custom attributes by key; null removes one"
    )


class ClientPatch(ClientFields):
    model_config = ConfigDict(
        json_schema_extra=not_nullable(
            "kind",
            "name",
            examples=[{"address": {"city": "Lyon"}, "attributes": {"employees": 14}}],
        )
    )


class ClientIn(ClientFields):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
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
                    "attributes": {"employees": 12},
                    "contacts": [CONTACT_EXAMPLE],
                }
            ]
        }
    )

    kind: ClientKind = "company"
    name: Name
    tags: list[Tag] = Field(default_factory=list, max_length=20)
    contacts: list[ContactIn] = Field(default_factory=list, max_length=50)


class AddressOut(BaseModel):
    line1: str | None = None
    line2: str | None = None
    postal_code: str | None = None
    city: str | None = None
    region: str | None = None
    country: str | None = None


class ContactOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    first_name: str
    last_name: str
    email: str
    phone: str | None
    role: str | None
    locale: Locale
    portal_status: PortalStatus = "none"


class ClientOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: ClientKind
    name: str
    legal_id: str | None
    address: AddressOut | None
    phone: str | None
    website: str | None
    notes: str | None
    tags: list[str]
    assigned_staff_id: uuid.UUID | None
    attributes: dict[str, Any]
    contacts: list[ContactOut]
    portal_status: PortalStatus = Field(
        default="none", description="active when a contact has joined; else invited, expired"
    )
    created_at: datetime
    updated_at: datetime
    last_activity_at: datetime | None = Field(
        default=None,
        description="When a contact last posted a message, uploaded a file or completed a task",
    )
    documents_complete: bool | None = Field(
        default=None,
        description=(
            "Every required document asked of the client is accepted (documents service); "
            "null until it has said"
        ),
    )


class ChangeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    at: datetime
    origin_kind: Literal["staff", "document", "api_key", "system", "client"]
    origin_id: str | None = Field(description="The staff user's, document's, key's or contact's id")
    summary: str = Field(
        description=(
            "created, updated, contact_added, contact_removed, document_completed, "
            "invitation_sent, invitation_resent, invitation_revoked, invitation_accepted, "
            "access_revoked"
        )
    )
    changes: list[dict[str, Any]] = Field(description="{field, old, new} for each change")
    rejected: list[dict[str, Any]] = Field(
        description="{field, value, reason} for values a document carried that were refused"
    )
