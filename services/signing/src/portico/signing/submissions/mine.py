"""A client's documents in the client portal: those addressed to the contact logged in, at
the client they are logged in to, with a fresh link to sign and the completed ones to
download. A contact sees nothing addressed to another contact or sent for another client.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from fastapi import APIRouter, Response
from pydantic import BaseModel
from sqlalchemy import select

from portico.kit.auth.principals import CurrentClient
from portico.kit.deps import Store, Tx
from portico.kit.problems import Conflict, NotFound, problem_responses
from portico.signing.models import Submission, Submitter
from portico.signing.settings import Settings
from portico.signing.submissions.sending import issue_link, link_expiry
from portico.signing.submissions.states import CLOSED, Kind, Status, SubmitterStatus

router = APIRouter(prefix="/v1/my-documents", tags=["client portal"])


class MyDocument(BaseModel):
    submission_id: uuid.UUID
    submitter_id: uuid.UUID
    document_name: str
    status: Status
    my_status: SubmitterStatus
    role: str
    sent_at: datetime | None
    expires_at: datetime | None
    to_sign: bool
    completed: bool


class SigningToken(BaseModel):
    token: str


async def _mine(tx: Tx, principal: CurrentClient) -> list[tuple[Submission, Submitter]]:
    rows = (
        await tx.execute(
            select(Submission, Submitter)
            .join(Submitter, Submitter.submission_id == Submission.id)
            .where(
                Submission.client_id == principal.client_id,
                Submitter.contact_id == principal.contact_id,
                Submitter.status != SubmitterStatus.WAITING,
                Submitter.kind != Kind.CC,
            )
            .order_by(Submission.created_at.desc())
            .limit(200)
        )
    ).all()
    return [(submission, submitter) for submission, submitter in rows]


@router.get(
    "", responses=problem_responses(401, 403), summary="The documents addressed to me, newest first"
)
async def my_documents(tx: Tx, principal: CurrentClient) -> list[MyDocument]:
    return [
        MyDocument(
            submission_id=submission.id,
            submitter_id=submitter.id,
            document_name=submission.document_name,
            status=Status(submission.status),
            my_status=SubmitterStatus(submitter.status),
            role=submitter.role,
            sent_at=submitter.sent_at,
            expires_at=submission.expires_at,
            to_sign=Status(submission.status) not in CLOSED
            and submitter.status in (SubmitterStatus.SENT, SubmitterStatus.OPENED),
            completed=submission.completion == "done",
        )
        for submission, submitter in await _mine(tx, principal)
    ]


async def _one(
    tx: Tx, principal: CurrentClient, submission_id: uuid.UUID
) -> tuple[Submission, Submitter]:
    for submission, submitter in await _mine(tx, principal):
        if submission.id == submission_id:
            return submission, submitter
    raise NotFound("No such document.")


@router.post(
    "/{submission_id}/link",
    responses=problem_responses(401, 403, 404, 409),
    summary="A new link to open the document and sign it",
)
async def signing_link(
    submission_id: uuid.UUID, tx: Tx, principal: CurrentClient, settings: Settings
) -> SigningToken:
    submission, submitter = await _one(tx, principal, submission_id)
    if Status(submission.status) in CLOSED:
        raise Conflict(f"This document is {submission.status}.")
    return SigningToken(token=issue_link(tx, submitter, "sign", link_expiry(submission, settings)))


@router.get(
    "/{submission_id}/completed.pdf",
    responses={200: {"content": {"application/pdf": {}}}, **problem_responses(401, 403, 404)},
    response_class=Response,
    summary="The completed document",
)
async def my_completed_document(
    submission_id: uuid.UUID, tx: Tx, store: Store, principal: CurrentClient
) -> Response:
    submission, _ = await _one(tx, principal, submission_id)
    if submission.completion != "done" or submission.completed_pdf_key is None:
        raise NotFound("The completed document is not ready.")
    return Response(await store.read(submission.completed_pdf_key), media_type="application/pdf")
