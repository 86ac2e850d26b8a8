"""The signing service's part of a client's data export (docs/exports.md).

What it holds about a client is what its erasure removes (``erasure``): the submissions
sent for the client, and those sent for no client to one of its contacts; with each its
submitters (their values, signature, IP address and user agent), the audit trail and
the links' dates (never their tokens' hashes). Files: each submission's own folder
(values uploaded, drawn signatures, the completed PDF and its certificate) and the
document as it was sent.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from portico.contracts.events.exports import ClientExportRequested
from portico.kit.client_exports import ClientExport, ExportContents
from portico.signing.models import AuditEvent, SigningLink, Submission, Submitter
from portico.signing.templates.documents import pdf_key


async def collect(session: AsyncSession, request: ClientExportRequested) -> ExportContents:
    contact_ids = [contact.id for contact in request.contacts]
    about = Submission.client_id == request.client_id
    if contact_ids:
        to_contacts = select(Submitter.submission_id).where(Submitter.contact_id.in_(contact_ids))
        about = or_(about, Submission.client_id.is_(None) & Submission.id.in_(to_contacts))
    submissions = list(
        await session.scalars(select(Submission).where(about).order_by(Submission.created_at))
    )
    ids = [submission.id for submission in submissions]
    contents = ExportContents()
    contents.add_rows("submissions", submissions)
    if not ids:
        return contents
    submitters = list(
        await session.scalars(
            select(Submitter)
            .where(Submitter.submission_id.in_(ids))
            .order_by(Submitter.submission_id, Submitter.position)
        )
    )
    contents.add_rows("submitters", submitters)
    contents.add_rows(
        "audit_events",
        await session.scalars(
            select(AuditEvent).where(AuditEvent.submission_id.in_(ids)).order_by(AuditEvent.id)
        ),
    )
    contents.add_rows(
        "signing_links",
        await session.scalars(
            select(SigningLink)
            .where(SigningLink.submitter_id.in_([submitter.id for submitter in submitters]))
            .order_by(SigningLink.created_at)
        ),
    )
    for submission in submissions:
        folder = f"submissions/{submission.id}"
        # Values uploaded, signatures, the completed PDF and certificate: all under here.
        contents.add_folder(folder, f"submissions/{submission.id}/")
        contents.add_file(f"{folder}/document-sent.pdf", pdf_key(submission.document_key))
    return contents


CLIENT_EXPORT = ClientExport("signing", collect)
JOBS = CLIENT_EXPORT.jobs
