"""Value types shared by the events of several services."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal
from uuid import UUID

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    EmailStr,
    Field,
    PlainSerializer,
    WithJsonSchema,
)

__all__ = [
    "Address",
    "Amount",
    "BlobKey",
    "Channel",
    "CountryCode",
    "Currency",
    "Link",
    "Locale",
    "Person",
    "SecretCode",
    "SecretLink",
    "Sha256",
    "Timestamp",
    "ValueObject",
    "examples",
    "require_reachable",
]

Locale = Literal["fr", "en"]
Channel = Literal["email", "sms"]

AMOUNT_PATTERN = r"^-?\d+(\.\d+)?$"
_AMOUNT = re.compile(AMOUNT_PATTERN, re.ASCII)


def _amount(value: Any) -> Decimal:
    # A float has already lost the cents it was meant to carry (0.1 + 0.2 != 0.3): refuse it
    # rather than guess. Integers and Decimals are exact, so Python producers may pass them.
    if isinstance(value, bool | float):
        raise ValueError("an amount is a decimal string such as '1250.00', never a float")
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise ValueError("an amount is a finite number")
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str) and _AMOUNT.match(value):
        return Decimal(value)
    raise ValueError(f"{value!r} is not a decimal amount such as '1250.00'")


# Decimal in Python, a plain decimal string on the wire ("1234.50", scale kept as given).
Amount = Annotated[
    Decimal,
    BeforeValidator(_amount),
    PlainSerializer(lambda amount: format(amount, "f"), return_type=str, when_used="always"),
    WithJsonSchema({"type": "string", "pattern": AMOUNT_PATTERN, "examples": ["1234.50"]}),
]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$", description="ISO 4217 code, e.g. EUR")]
CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$", description="ISO 3166-1 alpha-2")]


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


# A moment on the wire is unambiguous: a naive datetime is refused, any offset becomes UTC.
Timestamp = Annotated[AwareDatetime, AfterValidator(_utc)]

_URL = r"^https?://[^\s/$.?#][^\s]*$"
# Links point into Portico (http://127.0.0.1:8000/... in development), so they are strings
# checked for shape, not normalised URL objects.
Link = Annotated[
    str,
    Field(
        pattern=_URL,
        max_length=2000,
        description="An absolute http(s) URL",
        json_schema_extra={"format": "uri"},
    ),
]
# A link whose token grants access: only the notifier may read it, and nobody may log it.
SecretLink = Annotated[
    str,
    Field(
        pattern=_URL,
        max_length=2000,
        description="An absolute URL carrying a capability token: never log it",
        json_schema_extra={"format": "uri", "x-secret": True},
    ),
]
# A one-time code that proves who someone is: only the notifier may read it.
SecretCode = Annotated[
    str,
    Field(
        pattern=r"^[0-9]{6}$",
        description="A one-time code of six digits: never log it",
        json_schema_extra={"x-secret": True},
    ),
]
BlobKey = Annotated[str, Field(min_length=1, max_length=500, description="A key in the blob store")]
Sha256 = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$", description="Hex SHA-256 digest")]


class ValueObject(BaseModel):
    # Producers are strict (a misspelt field is an error); consumers parse through
    # Envelope.event(), which ignores what they don't know yet.
    model_config = ConfigDict(extra="forbid", frozen=True)


class Person(ValueObject):
    """Someone a message goes to: what the notifier needs to reach them in their language."""

    id: UUID = Field(description="The contact's or staff user's id")
    name: str = Field(description="Full name, as shown in a greeting")
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
    region: str | None = Field(default=None, description="State, province or county")
    country: CountryCode | None = None


def require_reachable(person: Person, channel: Channel, role: str) -> None:
    """Refuse an event whose recipient cannot be reached on the channel it names."""
    if channel == "email" and person.email is None:
        raise ValueError(f"the {role} has no email address to send it to")
    if channel == "sms" and not person.phone:
        raise ValueError(f"the {role} has no phone number to text it to")


def examples(*documents: dict[str, Any]) -> ConfigDict:
    """The model config of an event with its examples (shown in docs/asyncapi.yaml)."""
    return ConfigDict(json_schema_extra={"examples": list(documents)})
