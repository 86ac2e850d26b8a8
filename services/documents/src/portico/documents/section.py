"""``/v1/section``: the client portal's "My documents" section, for administrators: shown
or not, its introduction, whether the required documents open the rest of the portal,
whether uploads wait for review, and how many days before an expiry the client is asked
for a new document."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy.ext.asyncio import AsyncSession

from portico.documents.models import SectionSettings
from portico.kit.auth import CurrentPrincipal
from portico.kit.auth.principals import CurrentAdmin
from portico.kit.deps import Tx
from portico.kit.html import sanitise_html
from portico.kit.problems import problem_responses
from portico.kit.schema import JsonBool, JsonInt

router = APIRouter(prefix="/v1/section", tags=["section"])

ROW_ID = 1
# Formatted text (HTML), sanitised before it is kept: formatting and safe links only.
Introduction = Annotated[str, StringConstraints(strip_whitespace=True, max_length=20_000)]


class SectionIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "shown": True,
                    "introduction": "<p>Please give us these documents first.</p>",
                    "required_for_access": True,
                    "review": True,
                    "reminder_days": 30,
                }
            ]
        },
    )

    shown: JsonBool = True
    introduction: Introduction = ""
    required_for_access: JsonBool = Field(
        default=False,
        description="A client lacking a required document reaches only the documents page",
    )
    review: JsonBool = Field(default=True, description="Uploads wait for staff to accept them")
    reminder_days: JsonInt = Field(
        default=30, ge=1, le=365, description="Days before an expiry to remind"
    )


class SectionOut(SectionIn):
    model_config = ConfigDict(from_attributes=True)

    updated_at: datetime | None = None


DEFAULTS = SectionIn()


async def section_settings(session: AsyncSession) -> SectionOut:
    row = await session.get(SectionSettings, ROW_ID)
    return (
        SectionOut.model_validate(row) if row is not None else SectionOut(**DEFAULTS.model_dump())
    )


@router.get("", responses=problem_responses(401), summary="The section's settings")
async def get_section(tx: Tx, _: CurrentPrincipal) -> SectionOut:
    # Clients read them too: their portal shows the introduction and obeys the gate.
    return await section_settings(tx)


@router.put("", responses=problem_responses(401, 403, 422), summary="Set the section's settings")
async def set_section(body: SectionIn, tx: Tx, _: CurrentAdmin) -> SectionOut:
    row = await tx.get(SectionSettings, ROW_ID)
    if row is None:
        row = SectionSettings(id=ROW_ID)
        tx.add(row)
    for name, value in body.model_dump().items():
        setattr(row, name, value)
    row.introduction = sanitise_html(body.introduction)
    await tx.flush()
    await tx.refresh(row)
    return SectionOut.model_validate(row)
