"""Staff notification preferences: per kind of event, email, SMS and in-app on or off."""

from __future__ import annotations

import uuid

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from portico.kit.auth import CurrentAdmin, CurrentStaff
from portico.kit.deps import Tx
from portico.kit.problems import NotFound, problem_responses
from portico.notifier.messages.catalogue import KINDS
from portico.notifier.models import Preference

router = APIRouter(prefix="/v1/preferences", tags=["preferences"])


class ChannelsIn(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"email": True, "sms": False, "in_app": True}]}
    )

    email: bool
    sms: bool
    in_app: bool


class PreferenceOut(ChannelsIn):
    kind: str
    description: str
    customised: bool


async def preferences_of(session: AsyncSession, user_id: uuid.UUID) -> list[PreferenceOut]:
    chosen = {
        row.kind: row
        for row in await session.scalars(select(Preference).where(Preference.user_id == user_id))
    }
    answers = []
    for kind in KINDS.values():
        if kind.staff_defaults is None:
            continue
        current = chosen.get(kind.key) or kind.staff_defaults
        answers.append(
            PreferenceOut(
                kind=kind.key,
                description=kind.description,
                email=current.email,
                sms=current.sms,
                in_app=current.in_app,
                customised=kind.key in chosen,
            )
        )
    return answers


@router.get("", responses=problem_responses(401, 403), summary="My notification preferences")
async def my_preferences(tx: Tx, principal: CurrentStaff) -> list[PreferenceOut]:
    return await preferences_of(tx, uuid.UUID(principal.subject))


@router.put(
    "/{kind}",
    responses=problem_responses(401, 403, 404, 422),
    summary="Choose how I hear of one kind of event",
)
async def set_preference(
    kind: str, body: ChannelsIn, tx: Tx, principal: CurrentStaff
) -> list[PreferenceOut]:
    if kind not in KINDS or KINDS[kind].staff_defaults is None:
        raise NotFound(f"No staff notification kind {kind!r}.")
    user_id = uuid.UUID(principal.subject)
    await tx.merge(Preference(user_id=user_id, kind=kind, **body.model_dump()))
    await tx.flush()
    return await preferences_of(tx, user_id)


@router.get(
    "/users/{user_id}",
    responses=problem_responses(401, 403),
    summary="A staff user's notification preferences (admins)",
)
async def user_preferences(user_id: uuid.UUID, tx: Tx, _: CurrentAdmin) -> list[PreferenceOut]:
    return await preferences_of(tx, user_id)
