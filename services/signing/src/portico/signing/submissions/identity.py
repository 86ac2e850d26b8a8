"""The identity check: before the document opens, the submitter enters a one-time code sent
to the email address or mobile phone the sender gave (``identity_check`` of the
submission: ``email_code`` or ``sms_code``).

A code is six random digits, kept only as a hash, working for ``identity_code_minutes``;
``identity_code_failures`` wrong entries end it (a new one must be asked for), a submitter
receives at most ``identity_codes_per_submitter`` codes, and another is sent no sooner than
``identity_resend_seconds`` after the last. Each link proves it anew: a reminder's link asks
for a code again, so a forwarded message opens nothing without the inbox or the phone.
Every code sent and entered is in the trail, and the certificate prints the method, the
entries and when the check succeeded.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Literal

from portico.contracts.events.signing import SigningCodeSent
from portico.kit.db import utcnow
from portico.kit.problems import FieldError, Forbidden, TooManyRequests
from portico.kit.transaction import Transaction
from portico.signing.settings import SigningSettings
from portico.signing.submissions import audit
from portico.signing.submissions.audit import Origin
from portico.signing.submissions.sending import person_of

if TYPE_CHECKING:
    from portico.signing.submissions.signer import Opened

CHANNELS = {"email_code": "email", "sms_code": "sms"}

Outcome = Literal["verified", "wrong", "expired", "exhausted", "none_sent"]


@dataclass(frozen=True)
class CodeCheck:
    outcome: Outcome
    failures_left: int = 0

    def error(self) -> FieldError | None:
        """What the signer reads beside the code input, or None when it was right."""
        messages = {
            "wrong": (
                f"This code is not the right one: {self.failures_left} more "
                f"{'try' if self.failures_left == 1 else 'tries'} before it stops working.",
                "wrong_code",
            ),
            "expired": ("This code has expired: ask for a new one.", "code_expired"),
            "exhausted": ("Too many wrong codes: ask for a new one.", "code_exhausted"),
            "none_sent": ("Ask for a code first.", "no_code"),
        }
        if self.outcome == "verified":
            return None
        message, code = messages[self.outcome]
        params = {"left": self.failures_left} if self.outcome == "wrong" else None
        return FieldError(field="code", location="body", message=message, code=code, params=params)


def required(opened: Opened) -> bool:
    """Whether this link must still prove who holds it."""
    return opened.submission.identity_check in CHANNELS and opened.link.identity_verified_at is None


def require(opened: Opened) -> None:
    if required(opened):
        raise Forbidden(
            "Enter the code sent to you to open this document.", code="identity_required"
        )


def masked_address(opened: Opened) -> str | None:
    """Where the code goes, shown in part (``c•••@atelier.example``, ``•••••••78``)."""
    submitter = opened.submitter
    if opened.submission.identity_check == "email_code" and submitter.email:
        local, _, domain = submitter.email.partition("@")
        return f"{local[:1]}•••@{domain}"
    if opened.submission.identity_check == "sms_code" and submitter.phone:
        digits = submitter.phone.replace(" ", "")
        return "•" * max(len(digits) - 2, 3) + digits[-2:]
    return None


def _digest(opened: Opened, code: str) -> str:
    # Keyed by the submitter, so that equal codes of two submitters never share a hash.
    return hashlib.sha256(f"{opened.submitter.id}:{code}".encode()).hexdigest()


async def send_code(
    tx: Transaction, opened: Opened, origin: Origin, settings: SigningSettings
) -> None:
    """A new code for the submitter, replacing any earlier one; the caller holds the
    submission locked."""
    submission, submitter = opened.submission, opened.submitter
    channel = CHANNELS.get(submission.identity_check)
    if channel is None:
        raise Forbidden("This document asks for no code.", code="no_identity_check")
    now = utcnow()
    if submitter.identity_codes_sent >= settings.identity_codes_per_submitter:
        raise Forbidden(
            "Too many codes were sent for this document: ask the sender for help.",
            code="too_many_codes",
        )
    if submitter.identity_code_sent_at is not None:
        wait = submitter.identity_code_sent_at + timedelta(seconds=settings.identity_resend_seconds)
        if wait > now:
            seconds = max(1, int((wait - now).total_seconds()) + 1)
            raise TooManyRequests(
                f"A code was just sent: ask for another in {seconds} seconds.",
                retry_after=seconds,
            )
    code = f"{secrets.randbelow(1_000_000):06d}"
    expires_at = now + timedelta(minutes=settings.identity_code_minutes)
    submitter.identity_code_hash = _digest(opened, code)
    submitter.identity_code_expires_at = expires_at
    submitter.identity_code_sent_at = now
    submitter.identity_codes_sent += 1
    submitter.identity_code_failures = 0
    await audit.record(
        tx,
        submission,
        "code_sent",
        submitter=submitter,
        origin=origin,
        details={"channel": channel},
    )
    tx.emit(
        SigningCodeSent(
            submission_id=submission.id,
            template_id=submission.template_id,
            document_name=submission.document_name,
            client_id=submission.client_id,
            submitter=person_of(submitter),
            channel=channel,
            code=code,
            expires_at=expires_at,
            valid_minutes=settings.identity_code_minutes,
        )
    )


async def check_code(
    tx: Transaction, opened: Opened, code: str, origin: Origin, settings: SigningSettings
) -> CodeCheck:
    """Compare ``code`` with the current one. Every outcome is kept (the caller commits
    even when the code is wrong: the count of wrong entries must hold)."""
    submission, submitter = opened.submission, opened.submitter
    if submitter.identity_code_hash is None or submitter.identity_code_expires_at is None:
        return CodeCheck("none_sent")
    submitter.identity_attempts += 1
    now = utcnow()
    if submitter.identity_code_expires_at <= now:
        outcome: CodeCheck = CodeCheck("expired")
    elif hmac.compare_digest(submitter.identity_code_hash, _digest(opened, code.strip())):
        outcome = CodeCheck("verified")
    else:
        submitter.identity_code_failures += 1
        left = settings.identity_code_failures - submitter.identity_code_failures
        outcome = CodeCheck("wrong", left) if left > 0 else CodeCheck("exhausted")
    if outcome.outcome == "verified":
        opened.link.identity_verified_at = now
        submitter.identity_verified_at = submitter.identity_verified_at or now
    if outcome.outcome in ("verified", "expired", "exhausted"):
        # A code opens once, and one that expired or was guessed at too often is gone.
        submitter.identity_code_hash = None
        submitter.identity_code_expires_at = None
    await audit.record(
        tx,
        submission,
        "identity_checked" if outcome.outcome == "verified" else "identity_failed",
        submitter=submitter,
        origin=origin,
        details={"channel": CHANNELS.get(submission.identity_check, "")}
        | ({} if outcome.outcome == "verified" else {"reason": outcome.outcome}),
    )
    return outcome
