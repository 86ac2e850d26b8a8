"""Submissions as the API shows them: to staff, and to a submitter through their link."""

from __future__ import annotations

from collections.abc import Sequence

from portico.signing.fields.spec import FieldSpec
from portico.signing.models import AuditEvent, Submission, Submitter
from portico.signing.submissions.schemas import (
    AuditEventOut,
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


def signing_out(submission: Submission, submitter: Submitter, token: str) -> SigningOut:
    """The document as ``submitter`` sees it: the pages, their own fields with their
    draft, and the values others gave for fields shown to everyone (read-only)."""
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
        ],
        fields=fields,
        completed=submission.completion == "done",
    )
