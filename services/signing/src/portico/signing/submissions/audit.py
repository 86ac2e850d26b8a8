"""A submission's audit trail: each step recorded with its time (UTC), the person's IP,
browser and time zone, and chained by digest to the step before (``portico.pdf.trail``).

Steps of one submission are appended one at a time: the submission's row is locked while
its head moves, so two signers acting at the same moment still make one chain.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import select

from portico.kit.db import utcnow
from portico.kit.transaction import Transaction
from portico.pdf import TrailEntry, entry_digest
from portico.signing.models import AuditEvent, Submission, Submitter


@dataclass(frozen=True)
class Origin:
    """Where a request came from, as the trail records it."""

    ip: str | None = None
    user_agent: str | None = None
    time_zone: str | None = None


STAFF = Origin()


def actor_of(submitter: Submitter) -> str:
    reach = submitter.email or submitter.phone
    return f"{submitter.name} <{reach}>" if reach else submitter.name


async def record(
    tx: Transaction,
    submission: Submission,
    action: str,
    *,
    submitter: Submitter | None = None,
    actor: str | None = None,
    origin: Origin = STAFF,
    details: Mapping[str, str] | None = None,
) -> AuditEvent:
    """Append one step; the caller holds the submission locked (``locked``)."""
    entry = TrailEntry(
        at=utcnow(),
        action=action,
        actor=actor if actor is not None else (actor_of(submitter) if submitter else None),
        ip=origin.ip,
        user_agent=(origin.user_agent or None) and origin.user_agent[:500],
        time_zone=origin.time_zone,
        details=dict(details or {}),
    )
    digest = entry_digest(submission.trail_head, entry)
    event = AuditEvent(
        submission_id=submission.id,
        submitter_id=submitter.id if submitter else None,
        at=entry.at,
        action=entry.action,
        actor=entry.actor,
        ip=entry.ip,
        user_agent=entry.user_agent,
        time_zone=entry.time_zone,
        details=dict(entry.details),
        digest=digest,
    )
    submission.trail_head = digest
    tx.add(event)
    return event


async def locked(tx: Transaction, submission_id: uuid.UUID) -> Submission | None:
    """The submission, its row locked until the transaction ends, and its submitters as of
    now: two signers submitting at the same moment see each other's signature, so exactly
    one of them completes the document."""
    return await tx.locked(Submission, submission_id)


async def trail_of(tx: Transaction, submission_id: uuid.UUID) -> Sequence[AuditEvent]:
    return (
        (
            await tx.execute(
                select(AuditEvent)
                .where(AuditEvent.submission_id == submission_id)
                .order_by(AuditEvent.id)
            )
        )
        .scalars()
        .all()
    )


def entry_of(event: AuditEvent) -> TrailEntry:
    return TrailEntry(
        at=event.at,
        action=event.action,
        actor=event.actor,
        ip=event.ip,
        user_agent=event.user_agent,
        time_zone=event.time_zone,
        details=dict(event.details or {}),
    )
