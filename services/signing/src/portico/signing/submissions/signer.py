"""What a submitter does through their link: open the document, save a draft, submit their
values and signature, or decline. Each step is recorded in the trail.

The link's token is the credential (``SigningLink``); a link to a completed copy opens
nothing else, and a link of another submitter sees only that submitter's submission.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from portico.contracts.events.signing import SubmissionDeclined, SubmissionViewed
from portico.kit.auth.capabilities import hash_capability
from portico.kit.db import utcnow
from portico.kit.problems import Conflict, Gone, NotFound, ValidationProblem
from portico.kit.settings import PorticoSettings
from portico.kit.store import BlobStore
from portico.kit.transaction import Transaction
from portico.signing.fields.spec import FieldSpec, FieldType
from portico.signing.models import SigningLink, Submission, Submitter
from portico.signing.settings import SigningSettings
from portico.signing.submissions import audit, completion, identity
from portico.signing.submissions.audit import Origin
from portico.signing.submissions.expiry import expire
from portico.signing.submissions.links import staff_page
from portico.signing.submissions.sending import dispatch, person_of, steps_of
from portico.signing.submissions.states import (
    CLOSED,
    Status,
    SubmitterStatus,
    derive,
    may_act,
)
from portico.signing.submissions.values import check_values


@dataclass
class Opened:
    link: SigningLink
    submitter: Submitter
    submission: Submission

    @property
    def index(self) -> int:
        return self.submission.submitters.index(self.submitter)


async def open_link(
    tx: Transaction,
    token: str,
    links: PorticoSettings,
    *,
    purpose: str = "sign",
    lock: bool = False,
) -> Opened:
    """The submitter and submission a link opens; 404 for an unknown token, 410 for one
    expired or revoked."""
    link = (
        await tx.execute(
            select(SigningLink).where(SigningLink.token_hash == hash_capability(token))
        )
    ).scalar_one_or_none()
    if (
        link is None
        or (purpose == "copy" and link.purpose not in ("copy", "sign"))
        or (purpose == "sign" and link.purpose != "sign")
    ):
        raise NotFound("This link does not open any document.")
    if not link.usable_at(utcnow()):
        raise Gone("This link has expired. Ask the sender for a new one.")
    submitter = await tx.get(Submitter, link.submitter_id)
    assert submitter is not None  # the link's row cascades with its submitter
    if lock:
        submission = await audit.locked(tx, submitter.submission_id)
    else:
        submission = await tx.get(Submission, submitter.submission_id)
    assert submission is not None
    submitter = next(s for s in submission.submitters if s.id == submitter.id)
    await _expire_if_due(tx, submission, links)
    return Opened(link=link, submitter=submitter, submission=submission)


async def _expire_if_due(tx: Transaction, submission: Submission, links: PorticoSettings) -> None:
    """A submission past its expiry reads as expired even before the expiry job runs."""
    if (
        submission.expires_at is not None
        and submission.expires_at <= utcnow()
        and submission.status not in CLOSED
    ):
        await audit.locked(tx, submission.id)
        await expire(tx, submission, links)


def specs_of_submission(submission: Submission) -> list[FieldSpec]:
    return [FieldSpec.model_validate(spec) for spec in submission.fields]


def values_of_others(submission: Submission, submitter: Submitter) -> dict[str, Any]:
    values: dict[str, Any] = dict(submission.prefills)
    for other in submission.submitters:
        if other.id != submitter.id:
            values.update(other.values or {})
    return values


async def view(tx: Transaction, opened: Opened, origin: Origin, links: PorticoSettings) -> None:
    """Record an opening: every one is in the trail; the first tells the sender."""
    submission, submitter = opened.submission, opened.submitter
    locked = await audit.locked(tx, submission.id)
    assert locked is not None
    first = submitter.opened_at is None
    if first:
        submitter.opened_at = utcnow()
        if submitter.status == SubmitterStatus.SENT:
            submitter.status = SubmitterStatus.OPENED
        submission.status = derive(Status(submission.status), steps_of(submission))
    await audit.record(tx, submission, "viewed", submitter=submitter, origin=origin)
    if first:
        tx.emit(
            SubmissionViewed(
                submission_id=submission.id,
                template_id=submission.template_id,
                document_name=submission.document_name,
                client_id=submission.client_id,
                submitter=person_of(submitter),
                viewed_at=submitter.opened_at,
                ip=origin.ip,
                user_agent=origin.user_agent,
                sent_by=submission.sent_by,
            )
        )


def _require_turn(opened: Opened) -> None:
    identity.require(opened)
    submission = opened.submission
    if Status(submission.status) in CLOSED:
        raise Conflict(f"This document is {Status(submission.status).value.replace('_', ' ')}.")
    if not may_act(steps_of(submission), opened.index, ordered=submission.ordered):
        if opened.submitter.status == SubmitterStatus.COMPLETED:
            raise Conflict("You have already signed this document.")
        raise Conflict("It is not your turn yet: others sign before you.")


async def _checked(
    tx: Transaction,
    store: BlobStore,
    opened: Opened,
    posted: dict[str, Any],
    *,
    final: bool,
    settings: SigningSettings,
) -> dict[str, Any]:
    submission, submitter = opened.submission, opened.submitter
    checked = check_values(
        specs_of_submission(submission),
        submitter.role,
        posted,
        others=values_of_others(submission, submitter),
        held=submitter.values or {},
        final=final,
        max_image_bytes=settings.max_value_mib * 1024 * 1024,
    )
    if checked.errors:
        raise ValidationProblem(
            "; ".join(f"{e.field}: {e.message}" for e in checked.errors), errors=checked.errors
        )
    for upload in checked.uploads:
        digest = hashlib.sha256(upload.data).hexdigest()
        key = f"submissions/{submission.id}/values/{digest}.{upload.kind}"
        await store.put(key, upload.data, content_type=upload.content_type)
        checked.values[upload.field] = {"file": key, "kind": upload.kind}
    return checked.values


async def save_draft(
    tx: Transaction,
    store: BlobStore,
    opened: Opened,
    posted: dict[str, Any],
    origin: Origin,
    settings: SigningSettings,
) -> None:
    """Keep what the signer filled so far; each field newly filled is a step of the trail."""
    _require_turn(opened)
    values = await _checked(tx, store, opened, posted, final=False, settings=settings)
    await _record_fields(tx, opened, values, origin)
    opened.submitter.values = values


async def _record_fields(
    tx: Transaction, opened: Opened, values: dict[str, Any], origin: Origin
) -> None:
    held = opened.submitter.values or {}
    for name in values:
        if held.get(name) != values[name]:
            await audit.record(
                tx,
                opened.submission,
                "field_completed",
                submitter=opened.submitter,
                origin=origin,
                details={"field": name},
            )


async def submit(
    tx: Transaction,
    store: BlobStore,
    opened: Opened,
    posted: dict[str, Any],
    origin: Origin,
    settings: SigningSettings,
    links: PorticoSettings,
) -> None:
    """The signer's final values and signature; the next submitter's turn, or the
    completion once everyone has acted."""
    _require_turn(opened)
    submission, submitter = opened.submission, opened.submitter
    values = await _checked(tx, store, opened, posted, final=True, settings=settings)
    specs = specs_of_submission(submission)
    today = utcnow().date().isoformat()
    for spec in specs:
        if spec.role == submitter.role and spec.type == FieldType.SIGNING_DATE:
            values[spec.name] = today
    await _record_fields(tx, opened, values, origin)
    submitter.values = values
    submitter.status = SubmitterStatus.COMPLETED
    submitter.completed_at = utcnow()
    submitter.ip, submitter.user_agent = origin.ip, (origin.user_agent or "")[:500] or None
    submitter.time_zone = origin.time_zone
    signed = any(
        spec.role == submitter.role and spec.type == FieldType.SIGNATURE and spec.name in values
        for spec in specs
    )
    action = "signed" if signed else ("approved" if submitter.kind == "approver" else "completed")
    await audit.record(tx, submission, action, submitter=submitter, origin=origin)
    await audit.record(tx, submission, "submitted", submitter=submitter, origin=origin)
    submission.status = derive(Status(submission.status), steps_of(submission))
    if submission.status == Status.COMPLETED:
        submission.closed_at = utcnow()
        await completion.start(tx, submission)
    else:
        await dispatch(tx, submission, settings=settings, links=links)


async def decline(
    tx: Transaction, opened: Opened, reason: str, origin: Origin, links: PorticoSettings
) -> None:
    _require_turn(opened)
    submission, submitter = opened.submission, opened.submitter
    now = utcnow()
    submitter.status = SubmitterStatus.DECLINED
    submitter.declined_at = now
    submitter.decline_reason = reason
    submission.status = Status.DECLINED
    submission.closed_at = now
    await audit.record(
        tx, submission, "declined", submitter=submitter, origin=origin, details={"reason": reason}
    )
    tx.emit(
        SubmissionDeclined(
            submission_id=submission.id,
            template_id=submission.template_id,
            document_name=submission.document_name,
            client_id=submission.client_id,
            submitter=person_of(submitter),
            reason=reason,
            declined_at=now,
            sent_by=submission.sent_by,
            submission_url=staff_page(links, submission.id),
        )
    )
