"""The authentication API: login, refresh, logout, API-key tokens, password reset, JWKS.

Login and refresh open their own transactions: a failed login must be recorded (and a
replayed refresh token must end its session) even though the answer is an error.
"""

from __future__ import annotations

import contextlib
import uuid
from datetime import timedelta

from fastapi import APIRouter, Request, Response, status

from portico.kit.auth import CurrentClient, CurrentPrincipal
from portico.kit.auth.keys import public_jwk
from portico.kit.deps import Tx, client_address, get_runtime
from portico.kit.problems import NotFound, TooManyRequests, Unauthorized, problem_responses
from portico.portal.apikeys.service import principal_for_key
from portico.portal.identity import login, resets, sessions
from portico.portal.identity.deps import Issuer, Rotation
from portico.portal.identity.schemas import (
    AccessToken,
    ApiKeyExchangeIn,
    LoginIn,
    PasswordResetIn,
    PasswordResetRequestIn,
    RefreshIn,
    SwitchIn,
    TokenPair,
)
from portico.portal.settings import Settings

router = APIRouter(prefix="/v1/auth", tags=["auth"])

WRONG_CREDENTIALS = "The email or the password is incorrect."


@router.post(
    "/login",
    responses=problem_responses(401, 422, 429),
    summary="Log in with an email and a password (staff and client accounts)",
)
async def log_in(body: LoginIn, request: Request, issuer: Issuer, settings: Settings) -> TokenPair:
    database = get_runtime(request).database
    address = client_address(request)
    async with database.transaction() as tx:
        wait = await login.seconds_until_allowed(tx, body.email, address)
        if wait is not None:
            raise TooManyRequests(
                f"Too many failed logins; try again in {wait} seconds.", retry_after=wait
            )
        account = await login.authenticate(tx, body.email, body.password)
        if account is None:
            await login.record_failure(tx, body.email, address)
        else:
            await login.forget_failures(tx, body.email)
            tokens = await sessions.open_session(
                tx,
                issuer,
                account,
                lifetime=timedelta(days=settings.refresh_token_days),
                address=address,
                user_agent=request.headers.get("user-agent"),
            )
    if account is None:
        raise Unauthorized(WRONG_CREDENTIALS)
    return TokenPair(**vars(tokens))


@router.post(
    "/refresh",
    responses=problem_responses(401, 422),
    summary="Exchange a refresh token for new tokens (the old refresh token stops working)",
    description=(
        "The replaced refresh token is answered with the same new tokens for "
        "`PORTICO_PORTAL_REFRESH_GRACE_SECONDS` (10) after the exchange, so tabs refreshing "
        "together share one session; used again later, it ends the session."
    ),
)
async def refresh(
    body: RefreshIn, request: Request, issuer: Issuer, rotation: Rotation, settings: Settings
) -> TokenPair:
    async with get_runtime(request).database.transaction() as tx:
        tokens = await sessions.refresh_session(
            tx,
            issuer,
            rotation,
            body.refresh_token,
            lifetime=timedelta(days=settings.refresh_token_days),
        )
    if tokens is None:
        raise Unauthorized("This session has ended; log in again.", invalid_token=True)
    return TokenPair(**vars(tokens))


@router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(401),
    summary="End the session of this access token (its refresh token stops working)",
)
async def log_out(principal: CurrentPrincipal, tx: Tx) -> Response:
    if principal.token_id is not None and principal.role != "api_key":
        # Tokens this portal issued carry a session id; any other jti has no session.
        with contextlib.suppress(ValueError):
            await sessions.end_session(tx, uuid.UUID(principal.token_id))
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/switch",
    responses=problem_responses(401, 403, 404, 422),
    summary="Open the client portal at another client this person is a contact of",
    description=(
        "Answers new tokens for the person's contact at `client_id` and ends the session of "
        "the token presented: a session's tokens always speak for one client. `404` when "
        "the person has no access there (never invited, or revoked)."
    ),
)
async def switch_client(
    body: SwitchIn,
    principal: CurrentClient,
    tx: Tx,
    issuer: Issuer,
    settings: Settings,
) -> TokenPair:
    tokens = None
    with contextlib.suppress(ValueError, TypeError):
        tokens = await sessions.switch_client(
            tx,
            issuer,
            uuid.UUID(principal.token_id or ""),
            body.client_id,
            lifetime=timedelta(days=settings.refresh_token_days),
        )
    if tokens is None:
        raise NotFound(f"You have no access to the client portal of client {body.client_id}.")
    return TokenPair(**vars(tokens))


@router.post(
    "/token",
    responses=problem_responses(401, 422),
    summary="Exchange an API key for a short-lived access token carrying its scopes",
)
async def api_key_token(body: ApiKeyExchangeIn, tx: Tx, issuer: Issuer) -> AccessToken:
    principal = await principal_for_key(tx, body.api_key)
    if principal is None:
        raise Unauthorized("This API key is not valid or was revoked.")
    access_token, expires_in = issuer.issue(principal)
    return AccessToken(access_token=access_token, expires_in=expires_in)


@router.post(
    "/password-reset",
    status_code=status.HTTP_202_ACCEPTED,
    response_class=Response,
    responses=problem_responses(422)
    | {202: {"description": "Accepted: a link is on its way if the address is known"}},
    summary="Email a link to choose a new password (answers the same for unknown emails)",
)
async def request_password_reset(
    body: PasswordResetRequestIn, request: Request, tx: Tx, settings: Settings
) -> Response:
    await resets.request_reset(
        tx,
        get_runtime(request).settings,
        body.email,
        timedelta(minutes=settings.password_reset_minutes),
    )
    return Response(status_code=status.HTTP_202_ACCEPTED)


@router.post(
    "/password-reset/confirm",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(410, 422),
    summary="Set a new password with the emailed link's token; every session ends",
)
async def confirm_password_reset(body: PasswordResetIn, tx: Tx) -> Response:
    await resets.complete_reset(tx, body.token, body.password)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/jwks",
    summary="The public keys that sign access tokens (JWKS, RFC 7517)",
    response_description="A JWK set with the Ed25519 key, its `kid` matching the tokens' header",
)
async def jwks(request: Request) -> dict[str, list[dict[str, str]]]:
    # The signing key first, then those still accepted (a rotation's previous key).
    verifier = get_runtime(request).token_verifier
    return {"keys": [public_jwk(public_pem) for public_pem in verifier.public_keys]}
