"""Verification: anyone uploads a PDF and learns whether Portico completed it, which
document it is, when and by whom it was signed, and whether it changed since.

A file whose SHA-256 is that of a completed document is that document, unchanged. Any
other file is read for its seal: one made with this organisation's seal but not matching
any completed document was changed after sealing (or the seal no longer covers it), and a
file without it is not one Portico completed.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import select

from portico.kit.transaction import Transaction
from portico.pdf import Limits, SealReport, run_isolated, verify_pdf
from portico.signing.models import SealKey, Submission
from portico.signing.submissions.seal_keys import current_seal
from portico.signing.submissions.states import ACTING, Kind

Verdict = Literal["genuine", "modified", "unknown"]


class SignerOut(BaseModel):
    name: str
    role: str
    signed_at: datetime | None


class SealOut(BaseModel):
    sealed: bool
    intact: bool | None = None
    valid: bool | None = None
    ours: bool = Field(description="Sealed with this organisation's seal")
    modified_after_seal: bool | None = None
    signer: str | None = None
    signed_at: datetime | None = None
    timestamp: datetime | None = Field(default=None, description="The time-stamping authority's")
    timestamp_valid: bool | None = None


class VerificationOut(BaseModel):
    verdict: Verdict = Field(
        description="genuine: a document Portico completed, unchanged; modified: sealed by "
        "this organisation but changed since; unknown: not a document Portico completed"
    )
    sha256: str
    submission_id: uuid.UUID | None = None
    document_name: str | None = None
    completed_at: datetime | None = None
    signers: list[SignerOut] = Field(default_factory=list)
    seal: SealOut


def _seal_out(report: SealReport, ours: set[str]) -> SealOut:
    if not report.sealed:
        return SealOut(sealed=False, ours=False)
    return SealOut(
        sealed=True,
        intact=report.intact,
        valid=report.valid,
        ours=report.signer_fingerprint in ours,
        modified_after_seal=report.modified_after_seal,
        signer=report.signer,
        signed_at=report.signed_at,
        timestamp=report.timestamp,
        timestamp_valid=report.timestamp_valid,
    )


async def verify(tx: Transaction, pdf: bytes, limits: Limits) -> VerificationOut:
    """Raises ``DocumentRefused`` for a file that is not a readable PDF. The file comes from
    anyone: it is read in a child process with the upload limits, so a hostile one costs a
    refusal, never the service."""
    sha256 = hashlib.sha256(pdf).hexdigest()
    report = await asyncio.to_thread(
        run_isolated,
        limits.isolated_seconds,
        limits.isolated_memory_bytes,
        verify_pdf,
        pdf,
        limits=limits,
    )
    ours = set((await tx.execute(select(SealKey.fingerprint))).scalars().all())
    ours.add((await current_seal(tx.database)).fingerprint)
    seal = _seal_out(report, ours)
    submission = (
        await tx.execute(select(Submission).where(Submission.completed_sha256 == sha256).limit(1))
    ).scalar_one_or_none()
    if submission is not None and seal.intact and seal.valid:
        return VerificationOut(
            verdict="genuine",
            sha256=sha256,
            submission_id=submission.id,
            document_name=submission.document_name,
            completed_at=submission.closed_at,
            signers=[
                SignerOut(name=s.name, role=s.role, signed_at=s.completed_at)
                for s in submission.submitters
                if Kind(s.kind) in ACTING
            ],
            seal=seal,
        )
    verdict: Verdict = "modified" if seal.ours else "unknown"
    return VerificationOut(verdict=verdict, sha256=sha256, seal=seal)
