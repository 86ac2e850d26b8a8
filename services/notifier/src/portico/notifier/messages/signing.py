"""Messages about the signing service's events: requests to sign (by email or SMS, as the
sender chose), reminders and last calls, the one-time code of an identity check, each
signer's copy of the completed document, and what the sender hears of (completed, declined,
viewed, expired)."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from portico.contracts import Event
from portico.contracts.events.signing import (
    DocumentCompleted,
    SigningCodeSent,
    SubmissionDeclined,
    SubmissionExpired,
    SubmissionExpiring,
    SubmissionReminded,
    SubmissionSent,
    SubmissionViewed,
)
from portico.notifier.messages.kinds import Channels, MessageKind
from portico.notifier.messages.planning import Outgoing, Planner, person, staff_email, to_staff

SIGNING_URL = "http://127.0.0.1:8000/sign/sample-token"
SUBMISSION_URL = "http://127.0.0.1:8000/documents/submissions/2b3c4d5e"
_REQUEST_SAMPLE: dict[str, Any] = {
    "document_name": "Mandat de prélèvement",
    "signing_url": SIGNING_URL,
    "expires_at": "2026-12-24T00:00:00+00:00",
}
_SENDER_SAMPLE: dict[str, Any] = {
    "document_name": "Mandat de prélèvement",
    "submitter_name": "Camille Durand",
    "submission_url": SUBMISSION_URL,
}

SUBMISSION_SENT = MessageKind(
    key="submission_sent",
    description="A document is sent to someone to fill and sign",
    links=("signing_url",),
    sample={**_REQUEST_SAMPLE, "message": "Merci de signer avant vendredi."},
)
SUBMISSION_REMINDED = MessageKind(
    key="submission_reminded",
    description="A reminder to sign a document",
    links=("signing_url",),
    sample=_REQUEST_SAMPLE,
)
SUBMISSION_EXPIRING = MessageKind(
    key="submission_expiring",
    description="A last call before the link to sign a document expires",
    links=("signing_url",),
    sample=_REQUEST_SAMPLE,
)
SIGNING_CODE = MessageKind(
    key="signing_code",
    description="A one-time code to open a document to sign",
    links=(),
    sample={
        "document_name": "Mandat de prélèvement",
        "code": "482913",
        "valid_minutes": 10,
    },
)
DOCUMENT_COPY = MessageKind(
    key="document_copy",
    description="A signer's copy of a completed document",
    links=("copy_url",),
    sample={
        "document_name": "Mandat de prélèvement",
        "completed_at": "2026-11-25T10:30:00+00:00",
        "copy_url": "http://127.0.0.1:8000/sign/sample-token/copy",
    },
)
DOCUMENT_COMPLETED = MessageKind(
    key="document_completed",
    description="A document you sent is signed by everyone",
    links=(),
    sample={
        **_SENDER_SAMPLE,
        "submitter_name": "Camille Durand, Hugo Martin",
        "completed_at": "2026-11-25T10:30:00+00:00",
    },
    staff_defaults=Channels(email=True, sms=False, in_app=True),
)
SUBMISSION_DECLINED = MessageKind(
    key="submission_declined",
    description="Someone declines to sign a document you sent",
    links=(),
    sample={**_SENDER_SAMPLE, "reason": "Le montant est erroné."},
    staff_defaults=Channels(email=True, sms=False, in_app=True),
)
SUBMISSION_VIEWED = MessageKind(
    key="submission_viewed",
    description="Someone opens a document you sent them to sign",
    links=(),
    sample={**_SENDER_SAMPLE, "viewed_at": "2026-11-25T10:00:00+00:00"},
    staff_defaults=Channels(email=False, sms=False, in_app=True),
)
SUBMISSION_EXPIRED = MessageKind(
    key="submission_expired",
    description="A document you sent expires before it was signed",
    links=(),
    sample={**_SENDER_SAMPLE, "expired_at": "2026-12-24T00:00:00+00:00"},
    staff_defaults=Channels(email=True, sms=False, in_app=True),
)

KINDS = (
    SUBMISSION_SENT,
    SUBMISSION_REMINDED,
    SUBMISSION_EXPIRING,
    SIGNING_CODE,
    DOCUMENT_COPY,
    DOCUMENT_COMPLETED,
    SUBMISSION_DECLINED,
    SUBMISSION_VIEWED,
    SUBMISSION_EXPIRED,
)


async def _signing_request(
    kind: MessageKind,
    event: SubmissionSent | SubmissionReminded | SubmissionExpiring,
    session: AsyncSession,
    **extra: Any,
) -> list[Outgoing]:
    """The submitter's personal link, on the channel the sender chose."""
    context = {
        "document_name": event.document_name,
        "signing_url": event.signing_url,
        "expires_at": event.expires_at.isoformat() if event.expires_at else None,
        **extra,
    }
    sent_by = getattr(event, "sent_by", None)
    reply_to = await staff_email(session, sent_by) if event.channel == "email" else None
    return [Outgoing(kind.key, person(event.submitter), event.channel, context, reply_to=reply_to)]


async def submission_sent(event: SubmissionSent, session: AsyncSession) -> list[Outgoing]:
    return await _signing_request(SUBMISSION_SENT, event, session, message=event.message)


async def submission_reminded(event: SubmissionReminded, session: AsyncSession) -> list[Outgoing]:
    return await _signing_request(SUBMISSION_REMINDED, event, session)


async def submission_expiring(event: SubmissionExpiring, session: AsyncSession) -> list[Outgoing]:
    return await _signing_request(SUBMISSION_EXPIRING, event, session)


async def signing_code(event: SigningCodeSent, session: AsyncSession) -> list[Outgoing]:
    """The code, to the submitter alone, on the channel of the check (no reply address:
    nobody should answer with it)."""
    context = {
        "document_name": event.document_name,
        "code": event.code,
        "valid_minutes": event.valid_minutes,
    }
    return [Outgoing(SIGNING_CODE.key, person(event.submitter), event.channel, context)]


async def document_completed(event: DocumentCompleted, session: AsyncSession) -> list[Outgoing]:
    completed_at = event.completed_at.isoformat()
    reply_to = await staff_email(session, event.sent_by)
    # Each signer gets the link to their own copy; the sender only the staff page.
    copies = [
        Outgoing(
            DOCUMENT_COPY.key,
            person(signer),
            "email",
            {
                "document_name": event.document_name,
                "completed_at": completed_at,
                "copy_url": signer.copy_url,
            },
            reply_to=reply_to,
        )
        for signer in event.submitters
        if signer.email
    ]
    sender_context = {
        "document_name": event.document_name,
        "submitter_name": ", ".join(signer.name for signer in event.submitters),
        "completed_at": completed_at,
        "submission_url": event.submission_url,
    }
    return copies + await to_staff(
        session, DOCUMENT_COMPLETED, event.sent_by, sender_context, event.submission_url
    )


async def submission_declined(event: SubmissionDeclined, session: AsyncSession) -> list[Outgoing]:
    context = {
        "document_name": event.document_name,
        "submitter_name": event.submitter.name,
        "reason": event.reason,
        "submission_url": event.submission_url,
    }
    return await to_staff(
        session, SUBMISSION_DECLINED, event.sent_by, context, event.submission_url
    )


async def submission_viewed(event: SubmissionViewed, session: AsyncSession) -> list[Outgoing]:
    context = {
        "document_name": event.document_name,
        "submitter_name": event.submitter.name,
        "viewed_at": event.viewed_at.isoformat(),
        "submission_url": None,
    }
    return await to_staff(session, SUBMISSION_VIEWED, event.sent_by, context, None)


async def submission_expired(event: SubmissionExpired, session: AsyncSession) -> list[Outgoing]:
    context = {
        "document_name": event.document_name,
        "submitter_name": None,
        "expired_at": event.expired_at.isoformat(),
        "submission_url": event.submission_url,
    }
    return await to_staff(session, SUBMISSION_EXPIRED, event.sent_by, context, event.submission_url)


PLANNERS: dict[type[Event], Planner] = {
    SubmissionSent: submission_sent,
    SubmissionReminded: submission_reminded,
    SubmissionExpiring: submission_expiring,
    SigningCodeSent: signing_code,
    DocumentCompleted: document_completed,
    SubmissionDeclined: submission_declined,
    SubmissionViewed: submission_viewed,
    SubmissionExpired: submission_expired,
}
