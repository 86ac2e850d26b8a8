"""The organisation's reminder schedule, for administrators: after how many days a signer
who has not acted is reminded, and how many days before expiry the last call goes.

Until an admin sets it, the service's configuration applies (``PORTICO_SIGNING_REMINDER_DAYS``,
``PORTICO_SIGNING_LAST_CALL_DAYS``); once set, the organisation's choice wins, for the
submissions already sent too (the follow-up job reads it at each run).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Literal

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.ext.asyncio import AsyncSession

from portico.kit.auth.principals import CurrentAdmin
from portico.kit.deps import Tx
from portico.kit.problems import problem_responses
from portico.kit.schema import JSON_INTEGER, JsonInt
from portico.signing.models import ReminderSettings
from portico.signing.settings import Settings, SigningSettings

router = APIRouter(prefix="/v1/reminder-settings", tags=["reminders"])

ROW_ID = 1
MAX_REMINDERS = 5
Day = Annotated[int, Field(ge=1, le=365), JSON_INTEGER]


@dataclass(frozen=True)
class ReminderPlan:
    """What the follow-up job applies: one reminder after each of ``reminder_days`` days
    since the link was sent, a last call ``last_call_days`` before expiry (0: none)."""

    reminder_days: tuple[int, ...]
    last_call_days: int


class ReminderSettingsIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"reminder_days": [3, 7], "last_call_days": 2}]},
    )

    reminder_days: list[Day] = Field(
        max_length=MAX_REMINDERS,
        description="Days after the link was sent, one reminder each (at most 5; empty: none)",
        json_schema_extra={"uniqueItems": True},
    )
    last_call_days: JsonInt = Field(
        ge=0, le=60, description="Days before the expiry for the last call (0: none)"
    )

    @field_validator("reminder_days")
    @classmethod
    def _each_day_once(cls, days: list[int]) -> list[int]:
        if len(set(days)) != len(days):
            raise ValueError("each day once")
        return sorted(days)


class ReminderSettingsOut(BaseModel):
    reminder_days: list[int]
    last_call_days: int
    source: Literal["configuration", "organisation"] = Field(
        description="The service's configuration (no admin has set it), or the organisation's"
    )
    updated_at: datetime | None = None


async def reminder_plan(session: AsyncSession, settings: SigningSettings) -> ReminderPlan:
    row = await session.get(ReminderSettings, ROW_ID)
    if row is None:
        return ReminderPlan(tuple(sorted(settings.reminder_days)), settings.last_call_days)
    return ReminderPlan(tuple(row.reminder_days), row.last_call_days)


def _out(row: ReminderSettings | None, settings: SigningSettings) -> ReminderSettingsOut:
    if row is None:
        return ReminderSettingsOut(
            reminder_days=sorted(settings.reminder_days),
            last_call_days=settings.last_call_days,
            source="configuration",
        )
    return ReminderSettingsOut(
        reminder_days=list(row.reminder_days),
        last_call_days=row.last_call_days,
        source="organisation",
        updated_at=row.updated_at,
    )


@router.get("", responses=problem_responses(401, 403), summary="The reminder schedule")
async def reminder_settings(tx: Tx, settings: Settings, _: CurrentAdmin) -> ReminderSettingsOut:
    return _out(await tx.get(ReminderSettings, ROW_ID), settings)


@router.put(
    "",
    responses=problem_responses(401, 403, 422),
    summary="Set the reminder schedule, for every open submission",
)
async def set_reminder_settings(
    body: ReminderSettingsIn, tx: Tx, settings: Settings, admin: CurrentAdmin
) -> ReminderSettingsOut:
    row = await tx.get(ReminderSettings, ROW_ID)
    if row is None:
        row = ReminderSettings(id=ROW_ID)
        tx.add(row)
    row.reminder_days = body.reminder_days
    row.last_call_days = body.last_call_days
    row.updated_by = admin.user_id
    await tx.flush()
    return _out(row, settings)
