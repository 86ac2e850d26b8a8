"""Logging in and out, passwords, invitations, and the language switch."""

from __future__ import annotations

import contextlib
from typing import Annotated

from fastapi import Form, Query, Request
from fastapi.responses import Response

from portico.gateway.apis.base import ApiProblem
from portico.gateway.apis.identity import IdentityApi, Tokens
from portico.gateway.web.context import Identity, Session
from portico.gateway.web.forms import FormState, form_from_problem
from portico.gateway.web.i18n import LOCALES, _
from portico.gateway.web.routing import local_path, page_router, see_other
from portico.gateway.web.session import WebSession
from portico.gateway.web.templating import render

router = page_router()


def home_of(session: WebSession) -> str:
    return "/portal" if session.is_client else "/"


async def open_session(session: WebSession, identity: IdentityApi, tokens: Tokens) -> None:
    session.open(tokens)
    if session.is_client:
        account = await identity.client_account()
        session.name = account.first_name
        session.locale = session.locale or account.locale
    else:
        me = await identity.me()
        session.name = me.first_name
        session.locale = me.locale


@router.get("/login")
async def login_page(request: Request, session: Session, next: str | None = None) -> Response:
    if session.logged_in and not next:
        return see_other(home_of(session))
    # With ``next``, a page this account cannot open sent them here: offer another login
    # (redirecting back would loop).
    return await render(request, "auth/login.html", form=FormState(), next=next)


@router.post("/login")
async def log_in(
    request: Request,
    session: Session,
    identity: Identity,
    email: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "",
) -> Response:
    values = {"email": email, "password": ""}
    try:
        tokens = await identity.log_in(email.strip(), password)
    except ApiProblem as problem:
        if problem.status == 401:
            form = FormState(values=values, message=_("The email or the password is incorrect."))
        elif problem.status == 429:
            form = FormState(values=values, message=_("Too many failed attempts. Try again later."))
        elif problem.status == 422:
            form = form_from_problem(problem, values)
        else:
            raise
        return await render(request, "auth/login.html", 422, form=form, next=next)
    await open_session(session, identity, tokens)
    return see_other(local_path(next, home_of(session)))


@router.post("/logout")
async def log_out(session: Session, identity: Identity) -> Response:
    if session.logged_in:
        # The session ends for good on the portal; a failure there still logs out here.
        with contextlib.suppress(ApiProblem):
            await identity.log_out()
    session.close()
    session.notify(_("You are logged out."), "info")
    return see_other("/login")


@router.get("/password/forgot")
async def forgot_page(request: Request) -> Response:
    return await render(request, "auth/forgot.html", form=FormState(), sent=False)


@router.post("/password/forgot")
async def forgot(
    request: Request, identity: Identity, email: Annotated[str, Form()] = ""
) -> Response:
    try:
        await identity.request_password_reset(email.strip())
    except ApiProblem as problem:
        if problem.status != 422:
            raise
        form = form_from_problem(problem, {"email": email})
        return await render(request, "auth/forgot.html", 422, form=form, sent=False)
    return await render(request, "auth/forgot.html", form=FormState(), sent=True, email=email)


@router.get("/password/reset")
async def reset_page(request: Request, token: Annotated[str, Query()] = "") -> Response:
    return await render(request, "auth/reset.html", form=FormState(), token=token)


@router.post("/password/reset")
async def reset(
    request: Request,
    session: Session,
    identity: Identity,
    token: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
) -> Response:
    try:
        await identity.reset_password(token, password)
    except ApiProblem as problem:
        if problem.status == 410 or (problem.status == 422 and not password):
            form = FormState(
                message=_("This link has expired or was already used. Ask for a new one.")
            )
        elif problem.status == 422:
            form = form_from_problem(problem, {"password": ""})
        else:
            raise
        return await render(request, "auth/reset.html", 422, form=form, token=token)
    session.close()
    session.notify(_("Your password is changed. Log in with it."))
    return see_other("/login")


@router.get("/invitations/accept")
async def invitation_page(
    request: Request, session: Session, identity: Identity, token: Annotated[str, Query()] = ""
) -> Response:
    try:
        invitation = await identity.invitation(token)
    except ApiProblem as problem:
        if problem.status not in {410, 422}:
            raise
        return await render(request, "auth/invitation_gone.html", 410)
    if session.locale is None:
        # The contact's language, as the staff member recorded it, until they choose.
        session.locale = invitation.locale
        session.changed = True
        return see_other(str(request.url.path) + "?" + str(request.url.query))
    return await render(
        request, "auth/accept.html", form=FormState(), token=token, invitation=invitation
    )


@router.post("/invitations/accept")
async def accept_invitation(
    request: Request,
    session: Session,
    identity: Identity,
    token: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
) -> Response:
    try:
        tokens = await identity.accept_invitation(token, password)
    except ApiProblem as problem:
        if problem.status in {409, 410}:
            return await render(request, "auth/invitation_gone.html", 410)
        values = {"password": ""}
        if problem.status == 401:
            # A person who already has a login gave a wrong password.
            form = FormState(values=values, errors={"password": _("The password is incorrect.")})
        elif problem.status == 429:
            form = FormState(values=values, message=_("Too many failed attempts. Try again later."))
        elif problem.status == 422:
            form = form_from_problem(problem, values)
        else:
            raise
        invitation = await identity.invitation(token)
        return await render(
            request, "auth/accept.html", 422, form=form, token=token, invitation=invitation
        )
    if session.logged_in:
        # Someone was logged in in this browser (the person at another client, or staff):
        # their session ends on the portal too, not only in this cookie.
        with contextlib.suppress(ApiProblem):
            await identity.log_out()
    await open_session(session, identity, tokens)
    session.notify(_("Welcome! Your account is ready."))
    return see_other("/portal")


@router.post("/language")
async def switch_language(
    session: Session,
    identity: Identity,
    locale: Annotated[str, Form()] = "en",
    next: Annotated[str, Form()] = "/",
) -> Response:
    if locale in LOCALES:
        session.locale = locale
        session.changed = True
        if session.is_staff:
            # A staff member's language is their setting: emails follow it too.
            with contextlib.suppress(ApiProblem):
                await identity.update_me(locale=locale)
    return see_other(local_path(next, "/"))
