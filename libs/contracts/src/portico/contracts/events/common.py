"""Value types shared by the events of several services."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import BaseModel, BeforeValidator, ConfigDict, EmailStr, Field, PlainSerializer

Locale = Literal["fr", "en"]
Channel = Literal["email", "sms"]


def _decimal(value: Any) -> Decimal:
    if isinstance(value, float):
        raise ValueError("amounts are decimal strings such as '1250.00', never floats")
    if isinstance(value, Decimal | int):
        return Decimal(value)
    if isinstance(value, str):
        try:
            amount = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"{value!r} is not a decimal amount") from None
        if not amount.is_finite():
            raise ValueError(f"{value!r} is not a finite amount")
        return amount
    raise ValueError("an amount is a decimal string")


Amount = Annotated[
    Decimal,
    BeforeValidator(_decimal),
    PlainSerializer(lambda amount: format(amount, "f"), return_type=str, when_used="always"),
    Field(json_schema_extra={"type": "string", "pattern": r"^-?\d+(\.\d+)?$"}),
]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code")]
Link = Annotated[str, Field(min_length=1, max_length=2000, description="An absolute URL")]
# A link whose token grants access: only the notifier may read it, and nobody may log it.
SecretLink = Annotated[
    str,
    Field(
        min_length=1,
        max_length=2000,
        description="An absolute URL carrying a capability token: never log it",
        json_schema_extra={"x-secret": True},
    ),
]
BlobKey = Annotated[str, Field(min_length=1, max_length=500, description="A key in the blob store")]
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]


class ValueObject(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class Person(ValueObject):
    """Someone a message goes to: what a notifier needs to reach them in their language."""

    id: UUID
    name: str
    email: EmailStr | None = None
    phone: str | None = Field(
        default=None, description="As entered; normalised to E.164 by the notifier"
    )
    locale: Locale = "en"


class Address(ValueObject):
    line1: str | None = None
    line2: str | None = None
    postal_code: str | None = None
    city: str | None = None
    region: str | None = None
    country: str | None = Field(default=None, description="ISO 3166-1 alpha-2")


def examples(*documents: dict[str, Any]) -> ConfigDict:
    """The model config of an event with its examples (shown in docs/asyncapi.yaml)."""
    return ConfigDict(json_schema_extra={"examples": list(documents)})
