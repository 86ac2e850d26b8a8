"""The submissions API: staff (and internal systems with a ``signing:*`` API key) send
templates and follow them; a submitter's link (the token is the credential) opens, fills,
signs or declines a document and downloads the completed one."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Path, Query, Request, Response, UploadFile, status
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from sqlalchemy import select

from portico.kit.auth import Principal
from portico.kit.auth.principals import require_scope
from portico.kit.db import utcnow
from portico.kit.deps import Store, Tx, client_address, get_runtime
from portico.kit.downloads import attachment
from portico.kit.pagination import Page, Paging, fetch_page
from portico.kit.problems import Conflict, NotFound, ValidationProblem, problem_responses
from portico.kit.settings import PorticoSettings
from portico.kit.store import BlobNotFound
from portico.pdf import DocumentRefused
from portico.signing.models import Submission
from portico.signing.settings import Settings
from portico.signing.submissions import (
    audit,
    completion,
    identity,
    reminders,
    signer,
    verification,
)
from portico.signing.submissions.audit import Origin
from portico.signing.submissions.schemas import (
    CodeIn,
    CodeRequestIn,
    DeclineIn,
    ForwardedOut,
    ForwardIn,
    SigningOut,
    SubmissionIn,
    SubmissionOut,
    SubmissionSummary,
    ValuesIn,
)
from portico.signing.submissions.sending import send
from portico.signing.submissions.states import CLOSED, Status
from portico.signing.submissions.verification import VerificationOut
from portico.signing.submissions.views import signing_out, submission_out, submission_summary
from portico.signing.templates.documents import limits_of, preview_key
from portico.signing.templates.refusals import refusal_problem

router = APIRouter(prefix="/v1/submissions", tags=["submissions"])
signing_router = APIRouter(prefix="/v1/signing", tags=["signing"])
verify_router = APIRouter(prefix="/v1/verify", tags=["verification"])

Reader = Annotated[Principal, Depends(require_scope("signing:read"))]
Writer = Annotated[Principal, Depends(require_scope("signing:write"))]
Token = Annotated[str, Path(min_length=20, max_length=100, description="The link's token")]
PDF: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/pdf": {}}, "description": "A PDF"}
}
PREVIEW_WIDTHS = "The page's image (the service's preview widths: the largest by default)"


def _links(request: Request) -> PorticoSettings:
    return get_runtime(request).settings


def _origin(request: Request, time_zone: str | None = None) -> Origin:
    return Origin(
        ip=client_address(request),
        user_agent=request.headers.get("user-agent"),
        time_zone=time_zone,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    responses=problem_responses(401, 403, 404, 422),
    summary="Send a template: one recipient per role, by email or SMS",
)
async def send_submission(
    body: SubmissionIn, request: Request, tx: Tx, principal: Writer, settings: Settings
) -> SubmissionOut:
    submission = await send(
        tx, body, sent_by=principal.user_id, settings=settings, links=_links(request)
    )
    await tx.flush()
    return submission_out(submission, await audit.trail_of(tx, submission.id))


@router.get("", responses=problem_responses(401, 403, 422), summary="Submissions, newest first")
async def list_submissions(
    tx: Tx,
    _: Reader,
    paging: Paging,
    template_id: uuid.UUID | None = None,
    client_id: uuid.UUID | None = None,
    status_: Annotated[Status | None, Query(alias="status")] = None,
    sent_after: datetime | None = None,
    sent_before: datetime | None = None,
) -> Page[SubmissionSummary]:
    query = select(Submission)
    if template_id is not None:
        query = query.where(Submission.template_id == template_id)
    if client_id is not None:
        query = query.where(Submission.client_id == client_id)
    if status_ is not None:
        query = query.where(Submission.status == status_)
    if sent_after is not None:
        query = query.where(Submission.created_at >= sent_after)
    if sent_before is not None:
        query = query.where(Submission.created_at < sent_before)
    rows, total = await fetch_page(tx, query, paging, Submission.created_at.desc(), Submission.id)
    return Page.of([submission_summary(row) for row in rows], total, paging)


async def _submission(tx: Tx, submission_id: uuid.UUID, *, lock: bool = False) -> Submission:
    found = await (audit.locked(tx, submission_id) if lock else tx.get(Submission, submission_id))
    if found is None:
        raise NotFound("No such submission.")
    return found


@router.get(
    "/{submission_id}",
    responses=problem_responses(401, 403, 404),
    summary="A submission with its submitters and its audit trail",
)
async def get_submission(submission_id: uuid.UUID, tx: Tx, _: Reader) -> SubmissionOut:
    submission = await _submission(tx, submission_id)
    return submission_out(submission, await audit.trail_of(tx, submission_id))


@router.post(
    "/{submission_id}/cancel",
    responses=problem_responses(401, 403, 404, 409),
    summary="Cancel a submission not yet completed: its links stop working",
)
async def cancel_submission(submission_id: uuid.UUID, tx: Tx, principal: Writer) -> SubmissionOut:
    submission = await _submission(tx, submission_id, lock=True)
    if Status(submission.status) in CLOSED:
        raise Conflict(f"The submission is already {submission.status}.")
    submission.status = Status.CANCELLED
    submission.closed_at = utcnow()
    await audit.record(tx, submission, "cancelled", actor=f"staff {principal.subject}")
    return submission_out(submission, await audit.trail_of(tx, submission_id))


@router.post(
    "/{submission_id}/remind",
    responses=problem_responses(401, 403, 404, 409),
    summary="Remind now everyone whose turn it is (a new link each)",
)
async def remind_now(
    submission_id: uuid.UUID, request: Request, tx: Tx, principal: Writer, settings: Settings
) -> SubmissionOut:
    submission = await _submission(tx, submission_id, lock=True)
    waiting = reminders.awaited(submission)
    if Status(submission.status) in CLOSED or not waiting:
        raise Conflict("No one is waited for: there is no one to remind.")
    for submitter in waiting:
        await reminders.remind(
            tx,
            submission,
            submitter,
            settings=settings,
            links=_links(request),
            actor=f"staff {principal.subject}",
        )
    return submission_out(submission, await audit.trail_of(tx, submission_id))


@router.post(
    "/{submission_id}/complete",
    responses=problem_responses(401, 403, 404, 409),
    summary="Build the completed document again after a failure",
)
async def retry_completion(submission_id: uuid.UUID, tx: Tx, _: Writer) -> SubmissionOut:
    submission = await _submission(tx, submission_id, lock=True)
    if submission.completion not in ("failed", "pending"):
        raise Conflict("Only a failed or pending completion is retried.")
    await completion.retry(tx, submission)
    return submission_out(submission, await audit.trail_of(tx, submission_id))


async def _completed_file(store: Store, submission: Submission, which: str) -> Response:
    key = submission.completed_pdf_key if which == "pdf" else submission.certificate_key
    if submission.completion != "done" or key is None:
        raise NotFound("The completed document is not ready.")
    name = (
        submission.document_name if which == "pdf" else f"{submission.document_name} - certificate"
    )
    return Response(
        await store.read(key),
        media_type="application/pdf",
        headers={"Content-Disposition": attachment(f"{name[:150]}.pdf")},
    )


@router.get(
    "/{submission_id}/completed.pdf",
    responses={**PDF, **problem_responses(401, 403, 404)},
    response_class=Response,
    summary="The sealed completed document, its certificate included",
)
async def completed_pdf(submission_id: uuid.UUID, tx: Tx, store: Store, _: Reader) -> Response:
    return await _completed_file(store, await _submission(tx, submission_id), "pdf")


@router.get(
    "/{submission_id}/certificate.pdf",
    responses={**PDF, **problem_responses(401, 403, 404)},
    response_class=Response,
    summary="The completion certificate alone",
)
async def certificate_pdf(submission_id: uuid.UUID, tx: Tx, store: Store, _: Reader) -> Response:
    return await _completed_file(store, await _submission(tx, submission_id), "certificate")


# A submitter's link.


@signing_router.get(
    "/{token}",
    responses=problem_responses(404, 410),
    summary="The document a signing link opens (each opening is recorded)",
)
async def open_document(
    token: Token,
    request: Request,
    tx: Tx,
    time_zone: Annotated[str | None, Query(max_length=64)] = None,
) -> SigningOut:
    links = _links(request)
    opened = await signer.open_link(tx, token, links)
    if Status(opened.submission.status) not in CLOSED:
        await signer.view(tx, opened, _origin(request, time_zone), links)
    return signing_out(opened, token)


@signing_router.get(
    "/{token}/pages/{index}/preview",
    responses={200: {"content": {"image/webp": {}}}, **problem_responses(404, 410)},
    response_class=Response,
    summary="A page of the document as an image",
)
async def signing_page(
    token: Token,
    index: Annotated[int, Path(ge=0, le=100_000)],
    request: Request,
    tx: Tx,
    store: Store,
    settings: Settings,
    width: Annotated[int | None, Query(ge=1, le=10_000, description=PREVIEW_WIDTHS)] = None,
) -> Response:
    opened = await signer.open_link(tx, token, _links(request))
    identity.require(opened)
    submission = opened.submission
    if index >= len(submission.page_sizes):
        raise NotFound(f"The document has {len(submission.page_sizes)} page(s).")
    chosen = width if width in settings.preview_widths else max(settings.preview_widths)
    try:
        image = await store.read(preview_key(submission.document_key, index, chosen))
    except BlobNotFound:
        raise NotFound(
            "This page's image is not ready yet.", headers={"Retry-After": "2"}
        ) from None
    return Response(
        image, media_type="image/webp", headers={"Cache-Control": "private, max-age=3600"}
    )


@signing_router.put(
    "/{token}/draft",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=problem_responses(404, 409, 410, 422),
    summary="Keep what the signer filled so far, to come back later",
)
async def save_draft(
    token: Token, body: ValuesIn, request: Request, tx: Tx, store: Store, settings: Settings
) -> Response:
    opened = await signer.open_link(tx, token, _links(request), lock=True)
    await signer.save_draft(
        tx, store, opened, body.values, _origin(request, body.time_zone), settings
    )
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@signing_router.post(
    "/{token}/submit",
    responses=problem_responses(404, 409, 410, 422),
    summary="Submit the values and signature: the document goes to the next signer or is completed",
)
async def submit(
    token: Token, body: ValuesIn, request: Request, tx: Tx, store: Store, settings: Settings
) -> SigningOut:
    links = _links(request)
    opened = await signer.open_link(tx, token, links, lock=True)
    await signer.submit(
        tx, store, opened, body.values, _origin(request, body.time_zone), settings, links
    )
    return signing_out(opened, token)


@signing_router.post(
    "/{token}/decline",
    responses=problem_responses(404, 409, 410, 422),
    summary="Decline to sign, giving a reason",
)
async def decline(token: Token, body: DeclineIn, request: Request, tx: Tx) -> SigningOut:
    links = _links(request)
    opened = await signer.open_link(tx, token, links, lock=True)
    await signer.decline(tx, opened, body.reason, _origin(request, body.time_zone), links)
    return signing_out(opened, token)


@signing_router.post(
    "/{token}/forward",
    responses=problem_responses(403, 404, 409, 410, 422),
    summary="Pass the request on to someone else, where the template allows it",
)
async def forward(
    token: Token, body: ForwardIn, request: Request, tx: Tx, settings: Settings
) -> ForwardedOut:
    links = _links(request)
    opened = await signer.open_link(tx, token, links, lock=True)
    await signer.forward(tx, opened, body, _origin(request, body.time_zone), settings, links)
    return ForwardedOut(forwarded_to=body.name)


@signing_router.post(
    "/{token}/code",
    responses=problem_responses(403, 404, 410, 429),
    summary="Send the one-time code of the identity check to the submitter",
)
async def send_code(
    token: Token, body: CodeRequestIn, request: Request, tx: Tx, settings: Settings
) -> SigningOut:
    opened = await signer.open_link(tx, token, _links(request), lock=True)
    if Status(opened.submission.status) in CLOSED:
        raise Conflict(f"This document is {Status(opened.submission.status).value}.")
    await identity.send_code(tx, opened, _origin(request, body.time_zone), settings)
    return signing_out(opened, token)


@signing_router.post(
    "/{token}/code/check",
    response_model=SigningOut,
    responses=problem_responses(404, 410, 422),
    summary="Enter the one-time code: the document opens to this link when it is right",
)
async def check_code(
    token: Token, body: CodeIn, request: Request, tx: Tx, settings: Settings
) -> Response:
    opened = await signer.open_link(tx, token, _links(request), lock=True)
    checked = await identity.check_code(
        tx, opened, body.code, _origin(request, body.time_zone), settings
    )
    error = checked.error()
    if error is not None:
        # Answered, not raised: the wrong entry is counted and kept.
        return ValidationProblem(error.message, errors=[error]).response()
    return JSONResponse(jsonable_encoder(signing_out(opened, token)))


@signing_router.get(
    "/{token}/completed.pdf",
    responses={**PDF, **problem_responses(404, 410)},
    response_class=Response,
    summary="The completed document, for a submitter (a signing or a copy link)",
)
async def signer_copy(token: Token, request: Request, tx: Tx, store: Store) -> Response:
    opened = await signer.open_link(tx, token, _links(request), purpose="copy")
    if opened.link.purpose == "sign":
        identity.require(opened)
    response = await _completed_file(store, opened.submission, "pdf")
    await audit.locked(tx, opened.submission.id)
    await audit.record(
        tx, opened.submission, "downloaded", submitter=opened.submitter, origin=_origin(request)
    )
    return response


@verify_router.post(
    "",
    responses=problem_responses(413, 422),
    summary="Is this PDF a document Portico completed, and unchanged? (public)",
)
async def verify_document(
    file: Annotated[UploadFile, File(description="The PDF to verify")],
    tx: Tx,
    settings: Settings,
) -> VerificationOut:
    data = await file.read(settings.max_upload_mib * 1024 * 1024 + 1)
    if b"%PDF-" not in data[:1024]:
        raise ValidationProblem.for_field(
            "file", "Only a PDF can be verified: upload the PDF file.", code="unsupported_type"
        )
    try:
        return await verification.verify(tx, data, limits_of(settings))
    except DocumentRefused as refusal:
        raise refusal_problem(refusal, settings) from None
