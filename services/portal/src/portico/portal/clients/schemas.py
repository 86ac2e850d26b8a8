"""Request and response bodies of the clients API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Tag = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)]
Locale = Literal["fr", "en"]


class ContactIn(BaseModel):
    first_name: PersonName
    last_name: PersonName
    email: EmailStr
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] | None = None
    role: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = None
    locale: Locale = "en"


class ClientIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "kind": "company",
                    "name": "Atelier Lumière",
                    "legal_id": "FR40303265045",
                    "phone": "+33 1 23 45 67 89",
                    "website": "https://atelier-lumiere.example",
                    "tags": ["architecture"],
                    "contacts": [
                        {
                            "first_name": "Camille",
                            "last_name": "Durand",
                            "email": "camille@atelier-lumiere.example",
                            "locale": "fr",
                        }
                    ],
                }
            ]
        }
    )

    kind: Literal["company", "individual"] = "company"
    name: Name
    legal_id: Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)] | None = None
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] | None = None
    website: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] | None = None
    notes: Annotated[str, StringConstraints(max_length=10_000)] | None = None
    tags: list[Tag] = Field(default_factory=list, max_length=20)
    contacts: list[ContactIn] = Field(default_factory=list, max_length=50)


class ContactOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    first_name: str
    last_name: str
    email: str
    phone: str | None
    role: str | None
    locale: Locale


class ClientOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: Literal["company", "individual"]
    name: str
    legal_id: str | None
    phone: str | None
    website: str | None
    notes: str | None
    tags: list[str]
    contacts: list[ContactOut]
    created_at: datetime
    updated_at: datetime
