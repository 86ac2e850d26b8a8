"""The signer's page: what a link from an email or a text message opens, with no account.

The token in the address is the credential: every call to the signing service is made
anonymously with it, so the page can never show another submission than the link's. The
page is in the submitter's language (the sender chose it), unless the visitor picked one
with the language switch.

``GET /sign/{token}`` first answers a tiny page whose script notes the browser's time zone
(a cookie) and loads the address again: the service records each opening with it, and
a mail scanner that follows links without running scripts opens nothing. The signing page
then carries the document as JSON (``#signer-data``) for its modules
(``static/js/signer/``), which fill, sign, save drafts, submit, decline and pass the request
on to someone else (where the template allows it) through the JSON routes below; the
service checks everything again, and its refusals come back as problem+json naming each
field, in the page's language.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Form, Request
from fastapi.responses import FileResponse, JSONResponse, Response
from pydantic import BaseModel, Field, StringConstraints

from portico.contracts.events.common import Locale
from portico.gateway.apis.base import ApiProblem
from portico.gateway.areas.signing.api import ForwardTo, Signing, SigningDocument
from portico.gateway.web.context import PageNotFound, Session
from portico.gateway.web.forms import FormState, field_message, megabytes, too_long
from portico.gateway.web.i18n import (
    _,
    current_locale,
    format_number,
    language_choices,
    ngettext,
    use_locale,
)
from portico.gateway.web.routing import page_router, see_other
from portico.gateway.web.session import WebSession
from portico.gateway.web.templating import render

router = page_router()

TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,100}$")
TIME_ZONE = re.compile(r"^[A-Za-z0-9_+\-/]{1,64}$")
TIME_ZONE_COOKIE = "portico_tz"
# The preview width the page asks for: sharp on a desktop page and on a phone's screen.
PAGE_WIDTH = 1200
# The service keeps a value of at most this size (PORTICO_SIGNING_MAX_VALUE_MIB's default);
# the page shrinks photos well below it, and a request carries at most 2 MiB of JSON.
MAX_VALUE_BYTES = 1024 * 1024
# A handwriting font for typed signatures, when the machine has Debian's fonts-dancingscript
# (the completed PDF draws them with it too: portico.pdf.fonts).
HANDWRITING = Path("/usr/share/fonts/opentype/dancingscript/DancingScript-Regular.otf")
PROBLEM_JSON = "application/problem+json"
FIELD = re.compile(r"^(?:body\.)?values\.(.+)$")

TimeZone = Annotated[str, StringConstraints(strip_whitespace=True, max_length=64)]


def _token(token: str) -> str:
    if not TOKEN.match(token):
        raise PageNotFound
    return token


def _time_zone(candidate: str | None) -> str | None:
    return candidate if candidate and TIME_ZONE.match(candidate) else None


def _cookie_zone(request: Request) -> str | None:
    return _time_zone(request.cookies.get(TIME_ZONE_COOKIE))


def _speak(session: WebSession, document: SigningDocument) -> None:
    """The page speaks the submitter's language unless the visitor chose one."""
    use_locale(session.locale or document.submitter.locale)


def _state(document: SigningDocument) -> str:
    """What the page shows: the form, or why there is none."""
    submitter = document.submitter
    if document.status == "declined":
        return "declined"
    if submitter.status == "completed":
        return "done"
    if document.status in {"expired", "cancelled"}:
        return document.status
    if document.status == "completed":
        return "done"
    if document.identity is not None and not document.identity.verified:
        return "identity"
    if submitter.kind == "viewer":
        return "viewer"
    if document.may_act:
        return "sign"
    return "waiting"


def _may_forward(document: SigningDocument, state: str) -> bool:
    """Whether the page offers to pass the request on: the template allows it and it is
    the signer's turn (the identity check, if any, passed)."""
    return document.allow_forwarding and state == "sign"


def _strings() -> dict[str, str]:
    """What the page's script says, in the page's language."""
    return {
        "progress": _("%(done)s of %(total)s required fields"),
        "progressNone": _("No required field"),
        "next": _("Next"),
        "start": _("Start"),
        "saving": _("Saving…"),
        "saved": _("Draft saved"),
        "notSaved": _(
            "Not saved: the server could not be reached. Your entries stay on this page."
        ),
        "required": _("This field is required."),
        "number": _("Enter a number."),
        "min": _("The smallest allowed is %(min)s."),
        "max": _("The largest allowed is %(max)s."),
        "minLength": _("At least %(count)s characters."),
        "maxLength": _("At most %(count)s characters."),
        "pattern": _("This value is not in the expected form."),
        "email": _("Enter an email address."),
        "phone": _("Enter a phone number."),
        "date": _("Enter a date."),
        "fieldOf": _("Field %(number)s of %(total)s"),
        "pageOf": _("Page %(number)s of %(total)s"),
        "sign": _("Sign"),
        "initial": _("Initial"),
        "signed": _("Signed"),
        "savedSignature": _("Signature saved"),
        "upload": _("Choose an image"),
        "uploadFile": _("Choose a file"),
        "replace": _("Replace"),
        "fileChosen": _("File added: %(name)s"),
        "imageTooLarge": _("This image could not be made small enough: choose a smaller one."),
        "fileTooLarge": _("This file is too large: at most %(size)s."),
        "fileType": _("Upload a PNG, JPEG, WebP or PDF file."),
        "unreadable": _("This image could not be read."),
        "fixErrors": _("Some fields need attention: %(count)s."),
        "submitting": _("Sending…"),
        "offline": _("The server could not be reached. Check your connection and try again."),
        "computed": _("Computed"),
        "optional": _("optional"),
        "empty": _("Nothing drawn yet"),
        "wholeDocument": _("Show the whole document"),
        "guide": _("One field at a time"),
        "signatureOf": _("Signature"),
        "initialsOf": _("Initials"),
        "notReady": _("This page's image is being prepared…"),
        "whenSigned": _("Filled in when you sign"),
        "adoptSignature": _("Adopt and sign"),
        "adoptInitials": _("Adopt and initial"),
        "savedLater": _(
            "Draft saved. Open the same link again to finish: your entries will be there."
        ),
        "maxSize": megabytes(MAX_VALUE_BYTES),
        "forwarded": _("Sent to %(name)s. Your link no longer works."),
        "forwardNeedsEmail": _("Give their email address to send it by email."),
        "forwardNeedsPhone": _("Give their mobile phone number to send it by SMS."),
        "forwardIdentityEmail": _("Their identity is checked by email: give their email address."),
        "forwardIdentityPhone": _(
            "Their identity is checked by SMS: give their mobile phone number."
        ),
    }


def _field_out(field: Any, value: Any) -> dict[str, Any]:
    spec = field.spec.model_dump(mode="json", exclude_none=True)
    return {**spec, "mine": field.mine, "value": value}


def _signer_data(token: str, document: SigningDocument, state: str) -> dict[str, Any]:
    base = f"/sign/{token}"
    return {
        "state": state,
        "submissionId": str(document.submission_id),
        "documentName": document.document_name,
        "signerName": document.submitter.name,
        "locale": current_locale(),
        "pages": [{"width": page.width, "height": page.height} for page in document.pages],
        "fields": [_field_out(field, field.value) for field in document.fields],
        "maxValueBytes": MAX_VALUE_BYTES,
        "urls": {
            "page": f"{base}/pages/{{index}}?width={PAGE_WIDTH}",
            "draft": f"{base}/draft",
            "submit": f"{base}/submit",
            "decline": f"{base}/decline",
            "forward": f"{base}/forward",
            "status": f"{base}/status",
            "completed": f"{base}/completed.pdf",
        },
        "strings": _strings(),
    }


async def _open(request: Request, signing: Signing, token: str, time_zone: str | None) -> Any:
    """The document, or the page that says why there is none (expired, unknown)."""
    try:
        return await signing.signing_document(token, time_zone=time_zone)
    except ApiProblem as problem:
        if problem.status == 410:
            return await render(request, "signing/sign_gone.html", 410)
        if problem.status in {404, 422}:
            raise PageNotFound from None
        raise


@router.get("/sign/copy/{token}")
async def copy_page(request: Request, token: str) -> Response:
    """A copy link (a copy's recipient, or a signer once the document is completed): the
    completed document to download. Nothing is asked of the service until it is
    downloaded, which the trail records."""
    return await render(request, "signing/sign_copy.html", token=_token(token))


@router.get("/sign/copy/{token}/completed.pdf")
async def copy_download(request: Request, signing: Signing, token: str) -> Response:
    return await _download(request, signing, _token(token))


@router.get("/sign/fonts/handwriting.otf")
def handwriting_font() -> Response:
    """The typed signature's font, from the machine's fonts (none: the browser's cursive)."""
    if not HANDWRITING.is_file():
        raise PageNotFound
    return FileResponse(
        HANDWRITING,
        media_type="font/otf",
        headers={"Cache-Control": "public, max-age=604800"},
    )


@router.get("/sign/{token}")
async def signing_page(
    request: Request,
    session: Session,
    signing: Signing,
    token: str,
    time_zone: str | None = None,
) -> Response:
    token = _token(token)
    zone = _time_zone(time_zone) or _cookie_zone(request)
    if zone is None and time_zone is None:
        # Once per browser: the script notes the time zone and asks again.
        return await render(request, "signing/sign_opening.html", cookie=TIME_ZONE_COOKIE)
    opened = await _open(request, signing, token, zone)
    if isinstance(opened, Response):
        return opened
    document: SigningDocument = opened
    _speak(session, document)
    state = _state(document)
    if state == "identity":
        return await _identity_page(request, token, document, FormState())
    mine = [field for field in document.fields if field.mine]
    return await render(
        request,
        "signing/sign.html",
        token=token,
        doc=document,
        state=state,
        mine=mine,
        # A link that has not proved its holder gets no copy (the service refuses it).
        can_download=document.identity is None or document.identity.verified,
        data=_signer_data(token, document, state),
        page_url=f"/sign/{token}",
        can_forward=_may_forward(document, state),
        languages=language_choices(),
    )


# --- The identity check: a code sent to the signer opens the document to this link --------


async def _identity_page(
    request: Request, token: str, document: SigningDocument, form: FormState, status: int = 200
) -> Response:
    return await render(
        request,
        "signing/sign_identity.html",
        status,
        token=token,
        doc=document,
        identity=document.identity,
        form=form,
        page_url=f"/sign/{token}",
    )


async def _document_for_form(
    request: Request, session: WebSession, signing: Signing, token: str
) -> SigningDocument | Response:
    opened = await _open(request, signing, token, None)
    if isinstance(opened, Response):
        return opened
    _speak(session, opened)
    return opened


@router.post("/sign/{token}/code")
async def send_code(
    request: Request,
    session: Session,
    signing: Signing,
    token: str,
) -> Response:
    token = _token(token)
    try:
        await signing.send_signing_code(token, _cookie_zone(request))
    except ApiProblem as problem:
        if problem.status not in {403, 409, 429}:
            raise
        document = await _document_for_form(request, session, signing, token)
        if isinstance(document, Response):
            return document
        if problem.status == 409:
            return see_other(f"/sign/{token}")
        if problem.status == 429:
            message = _("A code was just sent: wait %(seconds)s seconds before asking again.") % {
                "seconds": problem.retry_after or "30"
            }
        else:
            message = _("Too many codes were sent for this document: ask the sender for help.")
        return await _identity_page(request, token, document, FormState(message=message), 429)
    return see_other(f"/sign/{token}")


@router.post("/sign/{token}/code/check")
async def check_code(
    request: Request,
    session: Session,
    signing: Signing,
    token: str,
    code: Annotated[str, Form()] = "",
) -> Response:
    token = _token(token)
    code = code.strip().replace(" ", "")
    refusal = None
    if code:
        try:
            await signing.check_signing_code(token, code[:12], _cookie_zone(request))
        except ApiProblem as problem:
            if problem.status != 422:
                raise
            refusal = problem
        else:
            return see_other(f"/sign/{token}")
    # The page again, in the submitter's language, the error beside the code.
    document = await _document_for_form(request, session, signing, token)
    if isinstance(document, Response):
        return document
    error = _code_message(refusal) if refusal else _("Enter the code you received.")
    form = FormState(errors={"code": error})
    return await _identity_page(request, token, document, form, 422)


def _code_message(problem: ApiProblem) -> str:
    error = problem.errors[0] if problem.errors else {}
    code = str(error.get("code"))
    params: Mapping[str, Any] = error.get("params") or {}
    if code == "wrong_code":
        left = int(params.get("left") or 0)
        return ngettext(
            "This code is not the right one: %(num)s more try before it stops working.",
            "This code is not the right one: %(num)s more tries before it stops working.",
            left,
        ) % {"num": left}
    messages = {
        "code_expired": _("This code has expired: ask for a new one."),
        "code_exhausted": _("Too many wrong codes: ask for a new one."),
        "no_code": _("Ask for a code first."),
    }
    return messages.get(code, _("This code is not the right one."))


@router.get("/sign/{token}/pages/{index}")
async def page_image(signing: Signing, token: str, index: str, width: str = "") -> Response:
    """A page's image; 503 with Retry-After while the service is still rendering it."""
    token = _token(token)
    if not index.isdigit() or len(index) > 6 or (width and not width.isdigit()):
        raise PageNotFound
    try:
        preview = await signing.signing_preview(token, int(index), int(width) if width else None)
    except ApiProblem as problem:
        if problem.status in {404, 410, 422}:
            return Response(status_code=problem.status if problem.status == 410 else 404)
        raise
    if not preview.ready:
        return Response(status_code=503, headers={"Retry-After": "2", "Cache-Control": "no-store"})
    return Response(
        preview.content, media_type="image/webp", headers={"Cache-Control": "private, max-age=3600"}
    )


class ValuesIn(BaseModel):
    values: dict[str, Any] = Field(default_factory=dict, max_length=500)
    time_zone: TimeZone | None = None


class DeclineIn(BaseModel):
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)] = ""
    time_zone: TimeZone | None = None


@router.put("/sign/{token}/draft")
async def save_draft(signing: Signing, token: str, body: ValuesIn) -> Response:
    token = _token(token)
    try:
        await signing.save_draft(token, body.values, _time_zone(body.time_zone))
    except ApiProblem as problem:
        return _problem(problem)
    return JSONResponse({"saved": True})


@router.post("/sign/{token}/submit")
async def submit(signing: Signing, token: str, body: ValuesIn) -> Response:
    token = _token(token)
    try:
        document = await signing.submit_values(token, body.values, _time_zone(body.time_zone))
    except ApiProblem as problem:
        return _problem(problem)
    return JSONResponse(_outcome(document))


@router.post("/sign/{token}/decline")
async def decline(signing: Signing, token: str, body: DeclineIn) -> Response:
    token = _token(token)
    if not body.reason:
        return _problem_json(
            422, _("Say why you decline."), [{"field": "reason", "message": _("Say why.")}]
        )
    try:
        document = await signing.decline(token, body.reason, _time_zone(body.time_zone))
    except ApiProblem as problem:
        return _problem(problem)
    return JSONResponse(_outcome(document))


class ForwardIn(BaseModel):
    """The person the signer names in the page's dialog; the service checks it all."""

    name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] = ""
    email: Annotated[str, StringConstraints(strip_whitespace=True, max_length=320)] = ""
    phone: Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] = ""
    locale: Locale = "en"
    channel: Literal["email", "sms"] = "email"
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] = ""
    time_zone: TimeZone | None = None


@router.post("/sign/{token}/forward")
async def forward(signing: Signing, token: str, body: ForwardIn) -> Response:
    """Someone else should sign: the service sends them their own link and this one stops
    working; the page then says so."""
    token = _token(token)
    person = ForwardTo(
        name=body.name,
        email=body.email or None,
        phone=body.phone or None,
        locale=body.locale,
        channel=body.channel,
        reason=body.reason or None,
        time_zone=_time_zone(body.time_zone),
    )
    try:
        forwarded = await signing.forward(token, person)
    except ApiProblem as problem:
        return _problem(problem, _forward_message)
    return JSONResponse({"state": "forwarded", "forwardedTo": forwarded.forwarded_to})


@router.get("/sign/{token}/status")
async def status(signing: Signing, token: str) -> Response:
    """Whether the completed document is ready (the page asks after the last signature;
    a closed submission's opening is not recorded again)."""
    token = _token(token)
    try:
        document = await signing.signing_document(token)
    except ApiProblem as problem:
        return _problem(problem)
    return JSONResponse(_outcome(document))


@router.get("/sign/{token}/completed.pdf")
async def download(request: Request, signing: Signing, token: str) -> Response:
    return await _download(request, signing, _token(token))


async def _download(request: Request, signing: Signing, token: str) -> Response:
    try:
        copy = await signing.signed_copy_file(token)
    except ApiProblem as problem:
        if problem.status == 410:
            return await render(request, "signing/sign_gone.html", 410)
        if problem.status in {404, 422}:
            return await render(request, "signing/sign_copy_missing.html", 404)
        raise
    return Response(
        copy.content,
        media_type="application/pdf",
        headers={"Content-Disposition": copy.disposition, "Cache-Control": "private, no-store"},
    )


def _outcome(document: SigningDocument) -> dict[str, Any]:
    return {
        "status": document.status,
        "state": _state(document),
        "completed": document.completed,
        "waitingFor": document.waiting_for,
    }


def _problem(
    problem: ApiProblem, message: Callable[[Mapping[str, Any]], str] | None = None
) -> Response:
    """The service's refusal for the page's script, in the page's language: each field
    error by the field's name, said by ``message`` (a value's check by default)."""
    say = message or _value_message
    if problem.status == 410:
        return _problem_json(410, _("This link has expired. Ask the sender for a new one."))
    if problem.status == 404:
        return _problem_json(404, _("This link does not open any document."))
    if problem.status == 403:
        code = str(problem.members.get("code") or "") or None
        if code == "forwarding_not_allowed":
            title = _("The sender does not allow passing this document on.")
        else:
            # The identity check is asked of this link: the page shows it once reloaded.
            title = _("Enter the code sent to you to open this document.")
        return _problem_json(403, title, code=code)
    if problem.status == 409:
        # Already signed, declined, not their turn: the page shows it once reloaded.
        return _problem_json(409, _("This document can no longer be changed from this link."))
    if problem.status == 413:
        return _problem_json(413, _("What you sent is too large: use smaller images."))
    if problem.status != 422:
        raise problem
    errors = []
    for error in problem.errors:
        found = FIELD.match(str(error.get("field") or ""))
        errors.append(
            {
                "field": found.group(1) if found else str(error.get("field") or ""),
                "code": error.get("code"),
                "message": say(error),
            }
        )
    count = len(errors)
    title = _("Some fields need attention: %(count)s.") % {"count": format_number(count)}
    return _problem_json(422, title, errors)


def _problem_json(
    status: int,
    title: str,
    errors: list[dict[str, Any]] | None = None,
    *,
    code: str | None = None,
) -> Response:
    body: dict[str, Any] = {"title": title, "status": status}
    if code is not None:
        body["code"] = code
    if errors is not None:
        body["errors"] = errors
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON)


def _forward_message(error: Mapping[str, Any]) -> str:
    """The service's check of the person a request is passed on to, in the page's
    language."""
    code, field = str(error.get("code")), str(error.get("field"))
    if code == "missing" and field == "email":
        return _("Give their email address to send it by email.")
    if code == "missing" and field == "phone":
        return _("Give their mobile phone number to send it by SMS.")
    if code == "value_error" and field == "email":
        return _("Enter an email address.")
    messages = {
        "identity_needs_email": _("Their identity is checked by email: give their email address."),
        "identity_needs_phone": _(
            "Their identity is checked by SMS: give their mobile phone number."
        ),
        "same_person": _("This is your own address: name someone else."),
    }
    return messages.get(code) or _value_message(error)


def _value_message(error: Mapping[str, Any]) -> str:
    """The signing service's check of a value, in the page's language; a pattern's own
    message is the template author's words and stays as they wrote it."""
    code = str(error.get("code"))
    params: Mapping[str, Any] = error.get("params") or {}
    message = str(error.get("message") or "")
    if code == "pattern":
        default = "This value is not in the expected form."
        return _(default) if message == default else message
    if code == "too_long" and "max_length" in params:
        return too_long(int(params["max_length"]))
    if code == "too_large" and "limit" in params:
        return _("This file is too large: at most %(size)s.") % {
            "size": megabytes(int(params["limit"]))
        }
    simple = {
        "missing": _("This field is required."),
        "bool_type": _("Tick or untick the box."),
        "list_type": _("Choose among the options."),
        "not_an_option": _("Choose one of the options."),
        "number_type": _("Enter a number."),
        "string_type": _("Enter text."),
        "date_type": _("Enter a date."),
        "email_type": _("Enter an email address."),
        "phone_type": _("Enter a phone number."),
        "image_type": _("Draw, type or upload it."),
        "image_unreadable": _("This image could not be read."),
        "unknown_field": _("There is no such field for you to fill."),
    }
    if code in simple:
        return simple[code]
    with_params = {
        "too_small": _("The smallest allowed is %(min)s."),
        "too_large": _("The largest allowed is %(max)s."),
        "too_short": _("At least %(min_length)s characters."),
        "unsupported_type": _("Upload a %(formats)s file."),
    }
    if code in with_params:
        try:
            return with_params[code] % dict(params)
        except (KeyError, TypeError, ValueError):
            return message
    return field_message(error)
