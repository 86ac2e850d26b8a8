"""A quote's attachments: files staff add for its client to read (a plan, a brochure,
photos). Each is checked (its size, its type read from its content) before anything is
kept; its file is stored before its row, so a row never names a file that is not there.
What was accepted stays as accepted: an accepted, invoiced, ordered or void quote's
attachments no longer change."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select

from portico.kit.problems import (
    Conflict,
    FieldError,
    NotFound,
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationProblem,
)
from portico.kit.store import BlobStore
from portico.kit.store.removal import delete_files_after_commit
from portico.kit.transaction import Transaction
from portico.quotes.attachments.file_types import ACCEPTED, content_type_of
from portico.quotes.models import Quote, QuoteAttachment
from portico.quotes.quotes.service import quote_of
from portico.quotes.statuses import QuoteStatus

MAX_SIZE_MIB = 10
MAX_SIZE_BYTES = MAX_SIZE_MIB * 1024 * 1024
MAX_PER_QUOTE = 20
# Past acceptance the quote is what the client agreed to, attachments included.
_SETTLED = {
    QuoteStatus.ACCEPTED: "was accepted",
    QuoteStatus.INVOICED: "was invoiced",
    QuoteStatus.ORDERED: "was confirmed as an order",
    QuoteStatus.VOID: "is void",
}


@dataclass(frozen=True)
class Upload:
    file_name: str
    content: bytes


def attachment_key(quote_id: uuid.UUID, attachment_id: uuid.UUID) -> str:
    return f"quotes/{quote_id}/attachments/{attachment_id}"


def _file_problem(
    problem: type[PayloadTooLarge] | type[UnsupportedMediaType] | type[ValidationProblem],
    message: str,
    code: str,
) -> PayloadTooLarge | UnsupportedMediaType | ValidationProblem:
    return problem(
        f"file: {message}",
        errors=[FieldError(field="file", location="body", message=message, code=code)],
    )


def require_changeable(quote: Quote) -> None:
    """A 409 once the quote's attachments are settled."""
    settled = _SETTLED.get(QuoteStatus(quote.status))
    if settled is not None:
        raise Conflict(
            f"This quote {settled}: its attachments stay as they were. Duplicate it to "
            "offer other documents."
        )


async def attachments_of(tx: Transaction, quote_id: uuid.UUID) -> Sequence[QuoteAttachment]:
    """The quote's attachments, oldest first."""
    return (
        await tx.scalars(
            select(QuoteAttachment)
            .where(QuoteAttachment.quote_id == quote_id)
            .order_by(QuoteAttachment.created_at, QuoteAttachment.id)
        )
    ).all()


async def attachment_of(
    tx: Transaction, quote_id: uuid.UUID, attachment_id: uuid.UUID
) -> QuoteAttachment:
    """The quote's attachment; another quote's is not found."""
    found = await tx.scalar(
        select(QuoteAttachment).where(
            QuoteAttachment.id == attachment_id, QuoteAttachment.quote_id == quote_id
        )
    )
    if found is None:
        raise NotFound("No such attachment on this quote.")
    return found


async def attach(
    tx: Transaction,
    store: BlobStore,
    quote_id: uuid.UUID,
    upload: Upload,
    *,
    staff_id: uuid.UUID | None,
) -> QuoteAttachment:
    """Keep ``upload`` as one of the quote's attachments, or refuse it naming ``file``."""
    # Locked: two uploads at once would both count 19 and make 21; a status read after
    # the lock sees an acceptance that came first.
    quote = await quote_of(tx, quote_id, lock=True)
    require_changeable(quote)
    if len(upload.content) > MAX_SIZE_BYTES:
        raise _file_problem(
            PayloadTooLarge,
            f"A file attached to a quote is at most {MAX_SIZE_MIB} MiB.",
            "file_too_large",
        )
    content_type = content_type_of(upload.content)
    if content_type is None:
        raise _file_problem(
            UnsupportedMediaType,
            f"A quote takes {ACCEPTED}, read from its content.",
            "file_type",
        )
    held = await tx.scalar(
        select(func.count())
        .select_from(QuoteAttachment)
        .where(QuoteAttachment.quote_id == quote.id)
    )
    if (held or 0) >= MAX_PER_QUOTE:
        raise _file_problem(
            ValidationProblem,
            f"A quote has at most {MAX_PER_QUOTE} attachments: delete one to add another.",
            "too_many_files",
        )
    attachment_id = uuid.uuid4()
    row = QuoteAttachment(
        id=attachment_id,
        quote_id=quote.id,
        file_name=upload.file_name,
        content_type=content_type,
        size=len(upload.content),
        blob_key=attachment_key(quote.id, attachment_id),
        created_by=staff_id,
    )
    # The file first: a row never names a file that is not there.
    await store.put(row.blob_key, upload.content, content_type=content_type)
    tx.add(row)
    await tx.flush()
    return row


async def detach(tx: Transaction, quote_id: uuid.UUID, attachment_id: uuid.UUID) -> None:
    """Delete the attachment; its file goes once the deletion is committed."""
    quote = await quote_of(tx, quote_id, lock=True)
    require_changeable(quote)
    row = await attachment_of(tx, quote.id, attachment_id)
    await tx.delete(row)
    await delete_files_after_commit(tx, keys=[row.blob_key])
