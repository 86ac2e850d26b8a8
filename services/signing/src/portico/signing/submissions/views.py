"""Submissions as the API shows them: to staff, and to a submitter through their link."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

from portico.kit.db import utcnow
from portico.signing.fields.spec import FieldSpec
from portico.signing.models import AuditEvent, Submission, Submitter
from portico.signing.submissions import identity
from portico.signing.submissions.schemas import (
    AuditEventOut,
    IdentityCheck,
    IdentityOut,
    PageOut,
    SigningFieldOut,
    SigningOut,
    SubmissionOut,
    SubmissionSummary,
    SubmitterOut,
)
from portico.signing.submissions.sending import steps_of
from portico.signing.submissions.states import (
    ACTING,
    CLOSED,
    Kind,
    Status,
    SubmitterStatus,
    may_act,
)

if TYPE_CHECKING:
    from portico.signing.submissions.signer import Opened


def submitter_out(submitter: Submitter) -> SubmitterOut:
    return SubmitterOut.model_validate(submitter, from_attributes=True)


def submission_summary(submission: Submission) -> SubmissionSummary:
    return SubmissionSummary(
        id=submission.id,
        template_id=submission.template_id,
        document_name=submission.document_name,
        client_id=submission.client_id,
        status=Status(submission.status),
        created_at=submission.created_at,
        expires_at=submission.expires_at,
        closed_at=submission.closed_at,
        completion=submission.completion,
        completion_error=submission.completion_error,
        submitters=[submitter_out(s) for s in submission.submitters],
    )


def submission_out(submission: Submission, trail: Sequence[AuditEvent]) -> SubmissionOut:
    return SubmissionOut(
        **submission_summary(submission).model_dump(),
        sent_by=submission.sent_by,
        message=submission.message,
        ordered=submission.ordered,
        identity_check=submission.identity_check,
        page_count=len(submission.page_sizes),
        completed_sha256=submission.completed_sha256,
        original_sha256=submission.original_sha256,
        trail=[AuditEventOut.model_validate(event, from_attributes=True) for event in trail],
    )


def signing_out(opened: Opened, token: str) -> SigningOut:
    """The document as the link's submitter sees it: the pages, their own fields with
    their draft, and the values others gave for fields shown to everyone (read-only);
    nothing of it while an identity check is pending."""
    submission, submitter = opened.submission, opened.submitter
    hidden = identity.required(opened)
    steps = steps_of(submission)
    index = submission.submitters.index(submitter)
    values: dict[str, object] = dict(submission.prefills)
    for other in submission.submitters:
        values.update(other.values or {})
    fields = []
    for raw in submission.fields:
        spec = FieldSpec.model_validate(raw)
        mine = spec.role == submitter.role
        fields.append(SigningFieldOut(spec=spec, mine=mine, value=values.get(spec.name)))
    waiting_for = (
        [
            other.role
            for other in submission.submitters
            if Kind(other.kind) in ACTING
            and other.position < submitter.position
            and other.status != SubmitterStatus.COMPLETED
        ]
        if submission.ordered
        else []
    )
    return SigningOut(
        submission_id=submission.id,
        document_name=submission.document_name,
        status=Status(submission.status),
        submitter=submitter_out(submitter),
        may_act=Status(submission.status) not in CLOSED
        and may_act(steps, index, ordered=submission.ordered),
        allow_forwarding=submission.allow_forwarding,
        waiting_for=waiting_for,
        expires_at=submission.expires_at,
        message=submission.message,
        pages=[
            PageOut(
                width=width,
                height=height,
                preview_path=f"/api/signing/v1/signing/{token}/pages/{page}/preview",
            )
            for page, (width, height) in enumerate(submission.page_sizes)
        ]
        if not hidden
        else [],
        fields=fields if not hidden else [],
        completed=submission.completion == "done",
        identity=_identity_out(opened),
    )


def _identity_out(opened: Opened) -> IdentityOut | None:
    submission, submitter = opened.submission, opened.submitter
    if submission.identity_check not in identity.CHANNELS:
        return None
    live = (
        submitter.identity_code_hash is not None
        and submitter.identity_code_expires_at is not None
        and submitter.identity_code_expires_at > utcnow()
    )
    return IdentityOut(
        method=cast(IdentityCheck, submission.identity_check),
        verified=not identity.required(opened),
        sent_to=identity.masked_address(opened),
        code_sent=live,
    )
