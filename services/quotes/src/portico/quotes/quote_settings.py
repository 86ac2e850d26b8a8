"""``/v1/quote-settings``: how quotes and invoices are numbered, how long a quote is valid
by default, and the texts a new quote starts with. Staff (and API keys with
``quotes:read``) read them; administrators change them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator
from sqlalchemy.ext.asyncio import AsyncSession

from portico.kit.auth import Principal
from portico.kit.auth.principals import CurrentAdmin, require_scope
from portico.kit.deps import Tx
from portico.kit.problems import ValidationProblem, problem_responses
from portico.kit.schema import JsonBool, JsonInt
from portico.quotes.models import Quote, QuoteSettings
from portico.quotes.numbering import InvalidPattern, parse_pattern

router = APIRouter(prefix="/v1/quote-settings", tags=["quote settings"])

Reader = Annotated[Principal, Depends(require_scope("quotes:read"))]
ROW_ID = 1
MAX_TEXT = 20_000
# Longer than any valid pattern, so that numbering's own check says what is wrong.
Pattern = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]
DefaultText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=MAX_TEXT)]
EXAMPLE: dict[str, Any] = {
    "number_pattern": "DEV-{YYYY}-{seq:4}",
    "invoice_number_pattern": "FAC-{YYYY}-{seq:5}",
    "validity_days": 30,
    "default_introduction": "Following our meeting, here is our proposal.",
    "default_terms": "30% deposit on signature, the balance on delivery.",
    "company_details": "12 rue des Lilas, 75011 Paris · SIRET 123 456 789 00012",
    "esignature": True,
    "reminder_days_before": [7, 2],
}


class QuoteSettingsIn(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [EXAMPLE]})

    number_pattern: Pattern = Field(
        default="DEV-{YYYY}-{seq:4}",
        description="Quote numbers: {YYYY}, {YY}, {MM} and one {seq:N}",
    )
    invoice_number_pattern: Pattern = Field(
        default="FAC-{YYYY}-{seq:5}", description="Invoice numbers, the same tokens"
    )
    validity_days: JsonInt = Field(
        default=30, ge=1, le=365, description="A new quote's validity, from its issue date"
    )
    default_introduction: DefaultText = Field(default="", description="A new quote's opening")
    default_terms: DefaultText = Field(default="", description="A new quote's terms")
    company_details: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = (
        Field(
            default="",
            description=(
                "Printed under the organisation's name on quotes and invoices: address, "
                "registration and VAT numbers"
            ),
        )
    )
    esignature: JsonBool = Field(
        default=False, description="Clients accept a quote by signing it on its online page"
    )
    reminder_days_before: list[Annotated[JsonInt, Field(ge=1, le=60)]] = Field(
        default_factory=list,
        max_length=5,
        description=(
            "A quote awaiting its answer is reminded this many days before its last valid "
            "day, once each (e.g. [7, 2]); none by default"
        ),
    )

    @field_validator("reminder_days_before")
    @classmethod
    def _furthest_first(cls, days: list[int]) -> list[int]:
        # Each day once, as the schedule is read: the earliest reminder first.
        return sorted(set(days), reverse=True)


class QuoteSettingsOut(QuoteSettingsIn):
    model_config = ConfigDict(from_attributes=True)

    updated_at: datetime | None = None


DEFAULTS = QuoteSettingsIn()


async def quote_settings(session: AsyncSession) -> QuoteSettingsOut:
    """The settings; the defaults until an administrator first saves them."""
    row = await session.get(QuoteSettings, ROW_ID)
    if row is None:
        return QuoteSettingsOut(**DEFAULTS.model_dump())
    return QuoteSettingsOut.model_validate(row)


def check_patterns(body: QuoteSettingsIn) -> None:
    for name in ("number_pattern", "invoice_number_pattern"):
        try:
            parse_pattern(getattr(body, name))
        except InvalidPattern as refused:
            raise ValidationProblem.for_field(name, str(refused), code="invalid_pattern") from None


@router.get("", responses=problem_responses(401, 403), summary="The quotes' settings")
async def get_quote_settings(tx: Tx, _: Reader) -> QuoteSettingsOut:
    return await quote_settings(tx)


@router.put(
    "",
    responses=problem_responses(401, 403, 422),
    summary="Set the quotes' settings (numbers already issued keep theirs)",
)
async def set_quote_settings(body: QuoteSettingsIn, tx: Tx, _: CurrentAdmin) -> QuoteSettingsOut:
    check_patterns(body)
    row = await tx.get(QuoteSettings, ROW_ID)
    if row is None:
        row = QuoteSettings(id=ROW_ID)
        tx.add(row)
    for name, value in body.model_dump().items():
        setattr(row, name, value)
    await tx.flush()
    await tx.refresh(row)
    return QuoteSettingsOut.model_validate(row)


def signature_required(quote: Quote, settings: QuoteSettingsOut) -> bool:
    """Whether accepting ``quote`` needs a drawn or typed signature: as its last send asked,
    or, for a quote sent before sends could say, as the organisation's setting says."""
    if quote.esignature_requested is not None:
        return quote.esignature_requested
    return settings.esignature
