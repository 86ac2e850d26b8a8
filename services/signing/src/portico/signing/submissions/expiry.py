"""Submissions that reach their expiry before everyone acted: closed, their links dead."""

from __future__ import annotations

from portico.contracts.events.signing import SubmissionExpired
from portico.kit.db import utcnow
from portico.kit.settings import PorticoSettings
from portico.kit.transaction import Transaction
from portico.signing.models import Submission
from portico.signing.submissions import audit
from portico.signing.submissions.links import staff_page
from portico.signing.submissions.states import CLOSED, Status


async def expire(tx: Transaction, submission: Submission, links: PorticoSettings) -> None:
    """Close ``submission`` as expired (once: a closed one is left as it is)."""
    if Status(submission.status) in CLOSED:
        return
    now = utcnow()
    submission.status = Status.EXPIRED
    submission.closed_at = now
    await audit.record(tx, submission, "expired")
    tx.emit(
        SubmissionExpired(
            submission_id=submission.id,
            template_id=submission.template_id,
            document_name=submission.document_name,
            client_id=submission.client_id,
            expired_at=submission.expires_at or now,
            sent_by=submission.sent_by,
            submission_url=staff_page(links, submission.id),
        )
    )
