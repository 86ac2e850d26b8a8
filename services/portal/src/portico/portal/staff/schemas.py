"""Request and response bodies of the staff users API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, StringConstraints

from portico.contracts.events.common import Locale
from portico.kit.schema import not_nullable

PersonName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Phone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)]
StaffRole = Literal["admin", "staff"]


class StaffUserIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "email": "lea@studio.example",
                    "first_name": "Léa",
                    "last_name": "Bernard",
                    "locale": "fr",
                    "role": "staff",
                }
            ]
        }
    )

    email: EmailStr
    first_name: PersonName
    last_name: PersonName
    phone: Phone | None = None
    locale: Locale = "en"
    role: StaffRole = "staff"
    # Without one, the new user gets an emailed link to choose it.
    password: Annotated[str, StringConstraints(max_length=256)] | None = None


class ProfilePatch(BaseModel):
    """Fields to change; those left out stay as they are."""

    model_config = ConfigDict(
        json_schema_extra=not_nullable(
            "email",
            "first_name",
            "last_name",
            "locale",
            examples=[{"phone": "+33 6 98 76 54 32", "locale": "fr"}],
        )
    )

    email: EmailStr | None = None
    first_name: PersonName | None = None
    last_name: PersonName | None = None
    phone: Phone | None = None
    locale: Locale | None = None


class StaffUserPatch(ProfilePatch):
    model_config = ConfigDict(
        json_schema_extra=not_nullable(
            "email",
            "first_name",
            "last_name",
            "locale",
            "role",
            "active",
            examples=[{"role": "admin"}, {"active": False}],
        )
    )

    role: StaffRole | None = None
    active: bool | None = None


class StaffUserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    first_name: str
    last_name: str
    phone: str | None
    locale: Locale
    role: StaffRole
    active: bool
    created_at: datetime
    last_login_at: datetime | None


class PasswordChangeIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"current_password": "the current one", "new_password": "a new passphrase"}
            ]
        }
    )

    current_password: Annotated[str, StringConstraints(min_length=1, max_length=256)]
    new_password: Annotated[str, StringConstraints(min_length=1, max_length=256)]
