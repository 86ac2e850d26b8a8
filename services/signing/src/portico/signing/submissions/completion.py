"""The completed document: every value stamped at its place, the completion certificate
appended, the whole sealed, both PDFs stored, and DocumentCompleted announced.

It is a job (``kit.jobs``), retried, so a document never stays pending: the last submit
only marks the completion pending and enqueues it. Each run writes its files under keys
of its own and then, in one transaction with the submission locked, records them only if
no other run finished first (a sweep's run racing a retry, two signers finishing at once):
the loser deletes its files. A run that fails on its last try marks the completion
failed with the reason, which staff see and can retry; the sweep retries stuck and failed
completions too.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Iterable, Sequence
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import or_, select

from portico.contracts.events.signing import DocumentCompleted, MappedField, SignedCopy
from portico.kit.db import utcnow
from portico.kit.jobs import Job, JobContext, JobTable, Schedule
from portico.kit.settings import PorticoSettings
from portico.kit.store import BlobStore
from portico.kit.transaction import Transaction
from portico.pdf import (
    CertificateData,
    CertificateRecipient,
    CompletedDocument,
    ImageMark,
    Mark,
    complete_document,
)
from portico.pdf.certificate import Channel, IdentityMethod, Locale, RecipientKind
from portico.signing.fields.prefill import writable
from portico.signing.fields.spec import FieldSpec
from portico.signing.models import AuditEvent, Submission, Submitter
from portico.signing.settings import signing_settings
from portico.signing.submissions import audit
from portico.signing.submissions.links import copy_link, staff_page
from portico.signing.submissions.printing import StoredImage, placements
from portico.signing.submissions.seal_keys import current_seal
from portico.signing.submissions.sending import issue_link, person_of
from portico.signing.submissions.states import ACTING, Kind
from portico.signing.templates.documents import pdf_key

COMPLETE = "signing.complete_submission"
SWEEP = "signing.sweep_completions"
# A pending completion untouched this long is taken as stuck (its job lost with a killed
# process and not yet retried); a failed one is retried this often.
STUCK_AFTER = timedelta(minutes=10)
RETRY_FAILED_AFTER = timedelta(hours=1)
VERIFY_PATH = "/verify"


async def start(tx: Transaction, submission: Submission) -> None:
    """Mark the completion pending and enqueue its job (in the caller's transaction)."""
    submission.completion = "pending"
    submission.completion_error = None
    submission.completion_changed_at = utcnow()
    submission.completion_tries += 1
    key = f"complete:{submission.id}:{submission.completion_tries}"
    await tx.enqueue(COMPLETE, {"submission_id": str(submission.id)}, key=key)


def _values(submission: Submission) -> dict[str, Any]:
    values: dict[str, Any] = dict(submission.prefills)
    for submitter in submission.submitters:
        values.update(submitter.values or {})
    return values


def _locale(submitter: Submitter) -> Locale:
    return "fr" if submitter.locale == "fr" else "en"


class _Files:
    """The submission's files as its completion reads them: each once (a signature is
    stamped on its page and printed again on the certificate), and those known up front
    together (on S3 each read is a round trip)."""

    def __init__(self, store: BlobStore) -> None:
        self._store = store
        self._read: dict[str, bytes] = {}

    async def fetch(self, keys: Iterable[str]) -> None:
        wanted = [key for key in dict.fromkeys(keys) if key not in self._read]
        contents = await asyncio.gather(*(self._store.read(key) for key in wanted))
        self._read.update(zip(wanted, contents, strict=True))

    async def read(self, key: str) -> bytes:
        if key not in self._read:
            self._read[key] = await self._store.read(key)
        return self._read[key]


async def _recipients(
    files: _Files, submission: Submission, specs: Sequence[FieldSpec]
) -> list[CertificateRecipient]:
    labels = {spec.name: spec.label or spec.name for spec in specs}
    by_role: dict[str, list[FieldSpec]] = {}
    for spec in specs:
        by_role.setdefault(spec.role, []).append(spec)
    recipients = []
    for submitter in submission.submitters:
        values = submitter.values or {}
        signature = initials = None
        given: list[tuple[str, str]] = []
        for spec in by_role.get(submitter.role, []):
            value = values.get(spec.name)
            if value is None:
                continue
            if isinstance(value, dict):
                if isinstance(value.get("file"), str) and value.get("kind") != "pdf":
                    image = await files.read(value["file"])
                    if spec.type == "signature" and signature is None:
                        signature = image
                    elif spec.type == "initials" and initials is None:
                        initials = image
                given.append((labels[spec.name], value.get("typed") or f"[{spec.type}]"))
            else:
                text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
                given.append((labels[spec.name], text))
        recipients.append(
            CertificateRecipient(
                role=submitter.role,
                kind=cast(RecipientKind, submitter.kind),
                name=submitter.name,
                email=submitter.email,
                phone=submitter.phone,
                channel=cast(Channel, submitter.channel),
                identity_method=cast(IdentityMethod, submission.identity_check),
                identity_attempts=submitter.identity_attempts,
                identity_verified_at=submitter.identity_verified_at,
                ip=submitter.ip,
                user_agent=submitter.user_agent,
                time_zone=submitter.time_zone,
                completed_at=submitter.completed_at or submitter.opened_at,
                values=given,
                signature_png=signature,
                initials_png=initials,
                locale=_locale(submitter),
            )
        )
    return recipients


async def build(
    context: JobContext, submission: Submission, trail: Sequence[AuditEvent]
) -> CompletedDocument:
    """The completed document: sealed, its certificate alone, the hashes it states."""
    store = context.store
    assert store is not None
    settings = signing_settings()
    specs = [FieldSpec.model_validate(spec) for spec in submission.fields]
    files = _Files(store)
    original_key = pdf_key(submission.document_key)
    by_role = {submitter.role: _locale(submitter) for submitter in submission.submitters}
    placed = placements(specs, _values(submission), by_role)
    images = [mark.key for mark in placed if isinstance(mark, StoredImage)]
    await files.fetch([original_key, *images])
    original = await files.read(original_key)
    marks: list[Mark] = [
        ImageMark(page=mark.page, box=mark.box, image=await files.read(mark.key))
        if isinstance(mark, StoredImage)
        else mark
        for mark in placed
    ]
    recipients = await _recipients(files, submission, specs)
    entries = [audit.entry_of(event) for event in trail]
    verification_url = context.settings.link(VERIFY_PATH)
    generated_at = utcnow()

    def certificate_for(original_sha256: str, stamped_sha256: str) -> CertificateData:
        return CertificateData(
            document_name=submission.document_name,
            document_id=str(submission.id),
            organisation_name="",
            verification_url=verification_url,
            original_sha256=original_sha256,
            signed_sha256=stamped_sha256,
            generated_at=generated_at,
            recipients=recipients,
            trail=entries,
            digests=[event.digest for event in trail],
        )

    locales = sorted({_locale(s) for s in submission.submitters if Kind(s.kind) in ACTING})
    key = await current_seal(context.database)
    # CPU work: off the loop.
    return await asyncio.to_thread(
        complete_document,
        original,
        marks,
        certificate_for,
        key,
        reason=f"Completed: {submission.document_name}",
        locales=locales or cast(list[Locale], ["en"]),
        tsa_url=settings.tsa_url,
    )


async def complete_submission(context: JobContext, job: Job) -> None:
    submission_id = uuid.UUID(job.payload["submission_id"])
    store = context.store
    assert store is not None
    async with context.database.sessions() as session:
        submission = await session.get(Submission, submission_id)
        if submission is None or submission.completion == "done":
            return
        trail = await audit.trail_of(session, submission_id)
    try:
        completed = await build(context, submission, trail)
    except Exception as error:
        if job.is_last_try:
            await _failed(context, submission_id, error)
        raise
    run = uuid.uuid4().hex[:12]
    pdf_at = f"submissions/{submission_id}/completed-{run}.pdf"
    certificate_at = f"submissions/{submission_id}/certificate-{run}.pdf"
    sealed, original_sha = completed.pdf, completed.original_sha256
    await store.put(pdf_at, sealed, content_type="application/pdf")
    await store.put(certificate_at, completed.certificate, content_type="application/pdf")
    async with context.database.transaction() as tx:
        held = await audit.locked(tx, submission_id)
        if held is None or held.completion == "done":
            won = False
        else:
            won = True
            await _record(tx, context.settings, held, pdf_at, certificate_at, sealed, original_sha)
    if not won:
        await store.delete(pdf_at)
        await store.delete(certificate_at)


async def _record(
    tx: Transaction,
    links: PorticoSettings,
    submission: Submission,
    pdf_at: str,
    certificate_at: str,
    sealed: bytes,
    original_sha: str,
) -> None:
    now = utcnow()
    submission.completion = "done"
    submission.completion_error = None
    submission.completion_changed_at = now
    submission.completed_pdf_key = pdf_at
    submission.certificate_key = certificate_at
    submission.completed_sha256 = hashlib.sha256(sealed).hexdigest()
    submission.original_sha256 = original_sha
    await audit.record(
        tx, submission, "document_sealed", details={"sha256": submission.completed_sha256}
    )
    expiry = now + timedelta(days=signing_settings().copy_days)
    copies = []
    for submitter in submission.submitters:
        if not (submitter.email or submitter.phone):
            continue
        token = issue_link(tx, submitter, "copy", expiry)
        copies.append(
            SignedCopy(**person_of(submitter).model_dump(), copy_url=copy_link(links, token))
        )
    tx.emit(
        DocumentCompleted(
            submission_id=submission.id,
            template_id=submission.template_id,
            document_name=submission.document_name,
            client_id=submission.client_id,
            completed_at=now,
            sent_by=submission.sent_by,
            submitters=copies,
            completed_pdf_key=pdf_at,
            completed_pdf_sha256=submission.completed_sha256,
            certificate_key=certificate_at,
            mapped_fields=_mapped(submission),
            submission_url=staff_page(links, submission.id),
        )
    )


def _mapped(submission: Submission) -> list[MappedField]:
    """The values to write back into the client's profile (only for a client's document)."""
    if submission.client_id is None:
        return []
    contact_of_role = {s.role: s.contact_id for s in submission.submitters}
    values = _values(submission)
    mapped = []
    for raw in submission.fields:
        spec = FieldSpec.model_validate(raw)
        value = values.get(spec.name)
        if (
            not spec.mapping
            or not writable(spec.mapping)
            or value is None
            or isinstance(value, dict)
        ):
            continue
        text = ", ".join(map(str, value)) if isinstance(value, list) else str(value)
        contact_id = contact_of_role.get(spec.role)
        if spec.mapping.startswith("contact.") and contact_id is None:
            continue
        mapped.append(
            MappedField(
                target=spec.mapping,
                contact_id=contact_id if spec.mapping.startswith("contact.") else None,
                value=text,
            )
        )
    return mapped


async def _failed(context: JobContext, submission_id: uuid.UUID, error: Exception) -> None:
    async with context.database.transaction() as tx:
        held = await audit.locked(tx, submission_id)
        if held is not None and held.completion != "done":
            held.completion = "failed"
            held.completion_error = f"{type(error).__name__}: {error}"[:1000]
            held.completion_changed_at = utcnow()


async def retry(tx: Transaction, submission: Submission) -> None:
    """Staff ask again for a failed (or stuck) completion."""
    await start(tx, submission)


async def sweep_completions(context: JobContext, job: Job) -> None:
    """Enqueue again every completion left pending too long or failed a while ago."""
    now = utcnow()
    async with context.database.transaction() as tx:
        due = (
            (
                await tx.execute(
                    select(Submission.id).where(
                        or_(
                            (Submission.completion == "pending")
                            & (Submission.completion_changed_at < now - STUCK_AFTER),
                            (Submission.completion == "failed")
                            & (Submission.completion_changed_at < now - RETRY_FAILED_AFTER),
                        )
                    )
                )
            )
            .scalars()
            .all()
        )
        for submission_id in due:
            held = await audit.locked(tx, submission_id)
            if held is not None and held.completion in ("pending", "failed"):
                await start(tx, held)


JOBS: JobTable = {COMPLETE: complete_submission, SWEEP: sweep_completions}
SCHEDULES = [Schedule(name="sweep-completions", kind=SWEEP, every=timedelta(minutes=5))]
