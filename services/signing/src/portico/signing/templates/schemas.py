"""What the templates API takes and answers."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from portico.kit.schema import not_nullable
from portico.signing.fields.spec import FieldSpec

TemplateName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)
]
RoleName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
DEFAULT_ROLES = ["Client"]


class Role(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: RoleName


class BlankTemplateIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Onboarding form",
                    "pages": 2,
                    "size": "A4",
                    "titles": ["About you", "Your company"],
                }
            ]
        },
    )

    name: TemplateName
    pages: int = Field(default=1, ge=1, le=50)
    size: Literal["A4", "Letter"] = "A4"
    titles: list[Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]] = Field(
        default_factory=list, max_length=50, description="A section title at the top of each page"
    )


# How a recipient proves who they are before the document opens (``submissions.identity``).
IdentityCheck = Literal["none", "email_code", "sms_code"]


class TemplatePatch(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra=not_nullable(
            "name",
            "roles",
            "ordered",
            "auto_assign",
            "allow_forwarding",
            "identity_check",
            examples=[{"name": "Engagement letter"}],
        ),
    )

    name: TemplateName | None = None
    roles: list[Role] | None = Field(default=None, min_length=1, max_length=10)
    ordered: bool | None = Field(default=None, description="Signers sign one after the other")
    auto_assign: bool | None = Field(
        default=None, description="Sent to every new client automatically"
    )
    allow_forwarding: bool | None = Field(
        default=None, description="A signer may pass the request on to someone else"
    )
    identity_check: IdentityCheck | None = Field(
        default=None, description="The identity check a send asks for unless it says otherwise"
    )

    @field_validator("roles")
    @classmethod
    def _distinct(cls, roles: list[Role] | None) -> list[Role] | None:
        if roles is not None and len({role.name.casefold() for role in roles}) != len(roles):
            raise ValueError("two roles have the same name")
        return roles


class FieldsIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "fields": [
                        {
                            "name": "Signature",
                            "type": "signature",
                            "role": "Client",
                            "page": 0,
                            "x": 0.6,
                            "y": 0.85,
                            "w": 0.3,
                            "h": 0.06,
                            "required": True,
                        }
                    ]
                }
            ]
        },
    )

    fields: list[FieldSpec] = Field(max_length=2000)


class PageOut(BaseModel):
    index: int
    width: float = Field(description="In points (1/72 inch)")
    height: float
    previews: dict[str, str] = Field(
        default_factory=dict, description="Preview image addresses by width in pixels, once ready"
    )


class TemplateSummary(BaseModel):
    id: uuid.UUID
    name: str
    source_kind: str
    page_count: int
    field_count: int
    sendable: bool
    not_sendable_reason: str | None = Field(description="Why it cannot be sent yet, if so")
    auto_assign: bool
    archived: bool
    created_at: datetime
    updated_at: datetime


class TemplateOut(TemplateSummary):
    original_name: str | None
    roles: list[Role]
    ordered: bool
    allow_forwarding: bool
    identity_check: IdentityCheck
    previews_ready: int = Field(description="How many pages have their previews")
    pages: list[PageOut]
    fields: list[FieldSpec]
