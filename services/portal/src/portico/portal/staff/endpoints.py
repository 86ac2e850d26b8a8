"""The staff users API: admins manage the team; everyone manages their own details."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status

from portico.kit.auth import CurrentAdmin, CurrentStaff
from portico.kit.deps import Tx, get_runtime
from portico.kit.problems import problem_responses
from portico.portal.settings import Settings
from portico.portal.staff import service
from portico.portal.staff.schemas import (
    PasswordChangeIn,
    ProfilePatch,
    StaffUserIn,
    StaffUserOut,
    StaffUserPatch,
)

router = APIRouter(tags=["staff"])


@router.post(
    "/v1/staff",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 422),
    summary="Add a staff user (emailed a link to choose a password when none is given)",
)
async def create_staff_user(
    body: StaffUserIn, request: Request, tx: Tx, settings: Settings, _: CurrentAdmin
) -> StaffUserOut:
    user = await service.create_staff_user(
        tx,
        get_runtime(request).settings,
        body,
        welcome_link_lifetime=timedelta(days=settings.invitation_days),
    )
    return StaffUserOut.model_validate(user)


@router.get("/v1/staff", responses=problem_responses(401, 403), summary="List staff users")
async def list_staff_users(
    tx: Tx,
    _: CurrentStaff,
    include_inactive: Annotated[bool, Query(description="Deactivated users too")] = False,
) -> list[StaffUserOut]:
    users = await service.list_staff_users(tx, include_inactive=include_inactive)
    return [StaffUserOut.model_validate(user) for user in users]


@router.get(
    "/v1/staff/{user_id}", responses=problem_responses(401, 403, 404), summary="Read a staff user"
)
async def get_staff_user(user_id: uuid.UUID, tx: Tx, _: CurrentStaff) -> StaffUserOut:
    return StaffUserOut.model_validate(await service.get_staff_user(tx, user_id))


@router.patch(
    "/v1/staff/{user_id}",
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Change a staff user's details, role or status (deactivating ends their sessions)",
)
async def update_staff_user(
    user_id: uuid.UUID, body: StaffUserPatch, tx: Tx, _: CurrentAdmin
) -> StaffUserOut:
    user = await service.get_staff_user(tx, user_id)
    return StaffUserOut.model_validate(await service.update_staff_user(tx, user, body))


@router.get("/v1/me", responses=problem_responses(401, 403, 404), summary="My staff account")
async def me(tx: Tx, principal: CurrentStaff) -> StaffUserOut:
    user = await service.get_staff_user(tx, uuid.UUID(principal.subject))
    return StaffUserOut.model_validate(user)


@router.patch(
    "/v1/me",
    responses=problem_responses(401, 403, 404, 422),
    summary="Change my name, email, phone or language",
)
async def update_me(body: ProfilePatch, tx: Tx, principal: CurrentStaff) -> StaffUserOut:
    user = await service.get_staff_user(tx, uuid.UUID(principal.subject))
    return StaffUserOut.model_validate(await service.update_staff_user(tx, user, body))


@router.post(
    "/v1/me/password",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 422),
    summary="Change my password",
)
async def change_my_password(body: PasswordChangeIn, tx: Tx, principal: CurrentStaff) -> Response:
    user = await service.get_staff_user(tx, uuid.UUID(principal.subject))
    await service.change_password(tx, user, body)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
