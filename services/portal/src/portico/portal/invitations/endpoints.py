"""The invitations API: staff invite, re-send and revoke; a contact accepts by the link."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from sqlalchemy import select

from portico.kit.auth import CurrentClient, CurrentStaff
from portico.kit.deps import Tx, client_address, get_runtime
from portico.kit.pagination import Page, Paging
from portico.kit.problems import NotFound, Unauthorized, problem_responses
from portico.portal.clients import service as clients
from portico.portal.clients.endpoints import ClientsWriter
from portico.portal.clients.history import Origin
from portico.portal.clients.schemas import ContactIn, ContactOut
from portico.portal.identity import sessions
from portico.portal.identity.accounts import client_accesses
from portico.portal.identity.deps import Issuer
from portico.portal.identity.schemas import TokenPair
from portico.portal.invitations import service
from portico.portal.invitations.schemas import (
    AcceptIn,
    ClientAccountOut,
    ClientChoice,
    InvitationOut,
    InvitationPreview,
    InvitationStatus,
)
from portico.portal.models import Client, ClientAccount, Contact
from portico.portal.settings import Settings

router = APIRouter(tags=["invitations"])

INVITATION = "/v1/clients/{client_id}/contacts/{contact_id}/invitation"


@router.post(
    INVITATION,
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 404, 409),
    summary="Invite a contact to the client portal, or re-send (the old link stops working)",
)
async def invite_contact(
    client_id: uuid.UUID,
    contact_id: uuid.UUID,
    request: Request,
    tx: Tx,
    settings: Settings,
    principal: CurrentStaff,
) -> InvitationOut:
    client = await clients.get_client(tx, client_id)
    contact = clients.find_contact(client, contact_id)
    invitation = await service.invite(
        tx,
        get_runtime(request).settings,
        client,
        contact,
        Origin.of(principal),
        timedelta(days=settings.invitation_days),
    )
    return InvitationOut(
        id=invitation.id,
        client_id=client.id,
        client_name=client.name,
        contact_id=contact.id,
        contact_name=contact.name,
        email=contact.email,
        status="pending",
        created_at=invitation.created_at,
        expires_at=invitation.expires_at,
        invited_by=invitation.invited_by,
    )


@router.post(
    "/v1/clients/{client_id}/contacts",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 404, 409, 422),
    summary="Add a contact to a client, and invite them to the portal when asked",
    tags=["clients"],
)
async def add_contact(
    client_id: uuid.UUID,
    body: ContactIn,
    request: Request,
    tx: Tx,
    settings: Settings,
    principal: ClientsWriter,
    invite: Annotated[
        bool, Query(description="Also invite them to the client portal (create and invite)")
    ] = False,
) -> ContactOut:
    # Here rather than with the clients' routes: invitations build on clients, and a
    # route that does both belongs to the feature that depends on the other (clients
    # import nothing of invitations).
    client = await clients.get_client(tx, client_id)
    origin = Origin.of(principal)
    contact = await clients.add_contact(tx, client, body, origin)
    answer = ContactOut.model_validate(contact)
    if invite:
        lifetime = timedelta(days=settings.invitation_days)
        await service.invite(tx, get_runtime(request).settings, client, contact, origin, lifetime)
        answer.portal_status = "invited"
    return answer


@router.delete(
    INVITATION,
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401, 403, 404),
    summary="Revoke a contact's pending invitation, or end their access to the portal",
)
async def revoke_invitation(
    client_id: uuid.UUID, contact_id: uuid.UUID, tx: Tx, principal: CurrentStaff
) -> Response:
    client = await clients.get_client(tx, client_id)
    contact = clients.find_contact(client, contact_id)
    await service.revoke(tx, client, contact, Origin.of(principal))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/v1/invitations",
    responses=problem_responses(401, 403, 422),
    summary="Invitations, newest first: pending, expired, accepted or revoked",
)
async def list_invitations(
    tx: Tx,
    _: CurrentStaff,
    page: Paging,
    status: Annotated[InvitationStatus | None, Query(description="Only these")] = None,
) -> Page[InvitationOut]:
    items, total = await service.list_invitations(tx, page, status)
    return Page[InvitationOut](items=items, total=total, limit=page.limit, offset=page.offset)


@router.get(
    "/v1/invitations/accept",
    responses=problem_responses(410, 422),
    summary="What an invitation link is for (public: the link's token is the credential)",
)
async def preview_invitation(
    token: Annotated[str, Query(min_length=1, max_length=200)], tx: Tx
) -> InvitationPreview:
    invitation, contact, client = await service.open_invitation(tx, token)
    return InvitationPreview(
        has_login=await service.reachable_login(tx, contact.email) is not None,
        client_name=client.name,
        first_name=contact.first_name,
        last_name=contact.last_name,
        email=contact.email,
        locale=contact.locale,
        expires_at=invitation.expires_at,
    )


@router.post(
    "/v1/invitations/accept",
    responses=problem_responses(401, 409, 410, 422, 429),
    summary="Accept an invitation; answers tokens (logged in)",
    description=(
        "A new person chooses their password. A person who already logs in as a contact of "
        "another client (`has_login` in the preview) gives that password instead: `401` "
        "when it is wrong, counted by the login's brute-force guard."
    ),
)
async def accept_invitation(
    body: AcceptIn, request: Request, issuer: Issuer, settings: Settings
) -> TokenPair:
    address = client_address(request)
    # Its own transaction, as logging in: a wrong password is recorded though the answer
    # is an error.
    async with get_runtime(request).database.transaction() as tx:
        account = await service.accept(tx, body.token, body.password, address)
        if account is not None:
            tokens = await sessions.open_session(
                tx,
                issuer,
                account,
                lifetime=timedelta(days=settings.refresh_token_days),
                address=address,
                user_agent=request.headers.get("user-agent"),
            )
    if account is None:
        raise Unauthorized("The password is incorrect.")
    return TokenPair(**vars(tokens))


@router.get(
    "/v1/client-account",
    responses=problem_responses(401, 403, 404),
    summary="The logged-in client's account",
)
async def client_account(tx: Tx, principal: CurrentClient) -> ClientAccountOut:
    row = (
        await tx.execute(
            select(ClientAccount, Contact, Client)
            .join(Contact, ClientAccount.contact_id == Contact.id)
            .join(Client, Contact.client_id == Client.id)
            .where(ClientAccount.id == uuid.UUID(principal.subject))
        )
    ).first()
    if row is None:
        raise NotFound("This account no longer exists.")
    account, contact, client = row
    reachable = await client_accesses(tx, account.login_id)
    return ClientAccountOut(
        account_id=account.id,
        client_id=client.id,
        client_name=client.name,
        contact_id=contact.id,
        first_name=contact.first_name,
        last_name=contact.last_name,
        email=contact.email,
        locale=contact.locale,
        joined_at=account.joined_at,
        clients=sorted(
            (
                ClientChoice(client_id=other.id, client_name=other.name)
                for _access, _contact, other in reachable
            ),
            key=lambda choice: (choice.client_name.casefold(), str(choice.client_id)),
        ),
    )
