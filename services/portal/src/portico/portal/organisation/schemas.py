"""Request and response bodies of the organisation settings API."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from portico.contracts.events.common import Locale
from portico.portal.clients.schemas import Country


class OrganisationIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
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
        },
    )

    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
    brand_colour: Annotated[str, StringConstraints(pattern=r"^#[0-9a-fA-F]{6}$")] | None = Field(
        default=None, description="#rrggbb"
    )
    sender_email: EmailStr | None = Field(default=None, description="From address of emails")
    sender_name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = (
        None
    )
    default_locale: Locale = "en"
    default_country: Country = "FR"


class OrganisationOut(BaseModel):
    name: str
    brand_colour: str | None
    sender_email: str | None
    sender_name: str | None
    default_locale: Locale
    default_country: str
    logo_url: str | None = Field(description="Where the logo is served, when there is one")
