"""Bodies of the online quote: what a link holder reads and what they send back (the optional
lines they take, a comment, a refusal, an acceptance with its signature)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

from portico.contracts.events.common import Amount
from portico.kit.schema import JsonBool
from portico.quotes.attachments.schemas import OnlineAttachmentOut
from portico.quotes.quotes.schemas import (
    MAX_LINES,
    NO_NUL,
    DiscountOut,
    SectionOut,
    TotalsOut,
)
from portico.quotes.statuses import QuoteStatus

MAX_FEEDBACK = 5_000
MAX_REASON = 2_000  # what QuoteDeclined carries
MAX_NAME = 200
MAX_TYPED_SIGNATURE = 200


def _known_time_zone(name: str) -> str:
    # Kept with the signer's record and used to print the signing time as they saw it: a
    # name no one can read back is refused here.
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise PydanticCustomError(
            "unknown_time_zone", "must be an IANA time zone, such as Europe/Paris"
        ) from None
    return name


TimeZone = Annotated[
    str,
    StringConstraints(min_length=1, max_length=64),
    AfterValidator(_known_time_zone),
    Field(description="The browser's IANA time zone, e.g. Europe/Paris"),
]


class ChoicesIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"chosen": ["0b7f3c52-5e0c-4a8e-9d3b-5f1f0c2a6e41"]}]},
    )

    chosen: list[uuid.UUID] = Field(
        max_length=MAX_LINES,
        description="The optional lines taken, by id; every other optional line is left out",
    )


class FeedbackIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"message": "Peut-on décaler le chantier d'une semaine ?"}]
        },
    )

    message: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_FEEDBACK),
        NO_NUL,
    ] = Field(description="A comment or a question for the staff member in charge")


class DeclineIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "Budget dépassé."}]}
    )

    reason: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_REASON), NO_NUL]
        | None
    ) = Field(default=None, description="Why, in the client's words")


class SignatureIn(BaseModel):
    """A drawn signature (a PNG, as a canvas gives it) or a typed one (the name written)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["drawn", "typed"]
    image_png_base64: str | None = Field(
        default=None,
        description=(
            "A drawn signature: a PNG in base64 (a data: URL is taken too), at most 500 KB "
            "and 2000 × 1000 pixels"
        ),
    )
    text: (
        Annotated[
            str,
            StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TYPED_SIGNATURE),
            NO_NUL,
        ]
        | None
    ) = Field(default=None, description="A typed signature: the name as written")


ACCEPT_EXAMPLE: dict[str, Any] = {
    "name": "Camille Durand",
    "accept_terms": True,
    "signature": {"kind": "typed", "text": "Camille Durand"},
    "time_zone": "Europe/Paris",
}


class AcceptIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [ACCEPT_EXAMPLE]})

    name: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_NAME), NO_NUL
    ] = Field(description="The signer's full name, as they accept")
    accept_terms: JsonBool = Field(description="The quote's terms are accepted: must be true")
    signature: SignatureIn | None = Field(
        default=None, description="Required when the organisation asks for e-signatures"
    )
    time_zone: TimeZone | None = None


class OrganisationOut(BaseModel):
    name: str
    brand_colour: str | None = Field(description="#rrggbb")
    logo_url: str | None


class OnlineLineOut(BaseModel):
    """A line as the staff API shows it, with its id and without its catalogue product."""

    id: uuid.UUID = Field(description="What the client names to choose an optional line")
    position: int
    section: str | None
    description: str
    quantity: Amount
    unit: str
    unit_price: Amount
    vat_rate: Amount
    discount: DiscountOut | None
    optional: bool
    chosen: bool
    net: Amount
    counted: bool = Field(description="In the totals: not optional, or chosen")


class DecisionOut(BaseModel):
    status: Literal["accepted", "declined"]
    decided_at: datetime
    signer_name: str | None = Field(description="Who accepted, as they wrote their name")
    method: Literal["drawn", "typed", "none"] | None = Field(
        description="How the acceptance was signed"
    )
    reason: str | None = Field(description="Why it was declined, when said")


class OnlineQuoteOut(BaseModel):
    """The quote as its client reads it: no internal ids but the lines' own."""

    organisation: OrganisationOut | None = Field(
        description="None until the portal has announced the organisation"
    )
    company_details: str = Field(
        description="Printed under the organisation's name: address, registration and VAT numbers"
    )
    number: str | None
    title: str
    status: QuoteStatus
    client_name: str
    contact_name: str | None = Field(description="The contact the link was sent to")
    currency: str
    decimals: int
    locale: Literal["fr", "en"]
    issue_date: date
    valid_until: date = Field(description="The last day it can be accepted")
    introduction: str
    notes: str
    terms: str
    discount: DiscountOut | None
    sections: list[SectionOut]
    lines: list[OnlineLineOut]
    totals: TotalsOut
    esignature_required: bool = Field(description="Accepting needs a drawn or typed signature")
    can_accept: bool = Field(
        description="Awaiting an answer within its validity: it can be accepted or declined, "
        "its optional lines chosen and comments left"
    )
    decision: DecisionOut | None
    attachments: list[OnlineAttachmentOut] = Field(
        description="Files staff attached, oldest first: /v1/online/{token}/attachments/{id}"
    )


class FeedbackOut(BaseModel):
    posted_at: datetime
    message: str
