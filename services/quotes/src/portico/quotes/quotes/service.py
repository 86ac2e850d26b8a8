"""Quotes' use cases but sending: find and list them, make a draft, replace its content,
delete, duplicate, void and reopen. Each works in the caller's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.orm import selectinload

from portico.kit.db import utcnow
from portico.kit.pagination import PageParams, fetch_page
from portico.kit.problems import Conflict, NotFound, ValidationProblem
from portico.kit.store.removal import delete_files_after_commit
from portico.kit.transaction import Transaction
from portico.quotes import history
from portico.quotes.history import HistoryKind
from portico.quotes.models import ClientReplica, Quote, QuoteLine, QuoteLink, QuoteSection
from portico.quotes.quote_settings import QuoteSettingsOut
from portico.quotes.quotes.content import checked_content
from portico.quotes.quotes.schemas import QuoteIn
from portico.quotes.replicas import contact_of, first_contact_id, live_client
from portico.quotes.statuses import (
    QuoteAction,
    QuoteStatus,
    RefusedTransition,
    allowed_actions,
    transition,
)


@dataclass(frozen=True)
class QuoteFilters:
    status: QuoteStatus | None = None
    client_id: uuid.UUID | None = None
    assignee_id: uuid.UUID | None = None
    text: str | None = None


async def quote_of(tx: Transaction, quote_id: uuid.UUID, *, lock: bool = False) -> Quote:
    """The quote with its sections and lines; ``lock`` holds it until the transaction ends,
    so two changes of one quote (two sends, a send and an edit) run one after the other."""
    if lock and await tx.locked(Quote, quote_id) is None:
        raise NotFound("No such quote.")
    found = await tx.scalar(
        select(Quote)
        .where(Quote.id == quote_id)
        .options(selectinload(Quote.sections), selectinload(Quote.lines))
        .execution_options(populate_existing=True)
    )
    if found is None:
        raise NotFound("No such quote.")
    return found


async def client_names(tx: Transaction, client_ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, str]:
    wanted = set(client_ids)
    if not wanted:
        return {}
    rows = await tx.execute(
        select(ClientReplica.client_id, ClientReplica.name).where(
            ClientReplica.client_id.in_(wanted)
        )
    )
    return {client_id: name for client_id, name in rows}


async def client_name(tx: Transaction, client_id: uuid.UUID) -> str:
    return (await client_names(tx, [client_id])).get(client_id, "")


def _like(text: str) -> str:
    escaped = text.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _listing(filters: QuoteFilters) -> Select[Quote]:
    query = select(Quote)
    if filters.status is not None:
        query = query.where(Quote.status == filters.status)
    if filters.client_id is not None:
        query = query.where(Quote.client_id == filters.client_id)
    if filters.assignee_id is not None:
        query = query.where(Quote.assignee_id == filters.assignee_id)
    if filters.text and filters.text.strip():
        pattern = _like(filters.text)
        named = select(ClientReplica.client_id).where(
            func.lower(ClientReplica.name).like(pattern, escape="\\")
        )
        query = query.where(
            or_(
                func.lower(Quote.title).like(pattern, escape="\\"),
                func.lower(Quote.number).like(pattern, escape="\\"),
                Quote.client_id.in_(named),
            )
        )
    return query


async def listed(
    tx: Transaction, filters: QuoteFilters, page: PageParams
) -> tuple[list[Quote], int]:
    """One page of the quotes that match, the last changed first."""
    return await fetch_page(tx, _listing(filters), page, Quote.updated_at.desc(), Quote.id)


async def create_quote(
    tx: Transaction,
    body: QuoteIn,
    *,
    settings: QuoteSettingsOut,
    created_by: uuid.UUID | None,
    today: date,
) -> Quote:
    content = await checked_content(tx, body, settings, today)
    quote = Quote(
        status=QuoteStatus.DRAFT,
        created_by=created_by,
        sections=content.sections,
        lines=content.lines,
        **content.columns,
    )
    tx.add(quote)
    await tx.flush()
    return quote


def _only_a_draft(quote: Quote, doing: str) -> None:
    status = QuoteStatus(quote.status)
    if status is QuoteStatus.DRAFT:
        return
    hint = (
        " Reopen it as a draft first."
        if QuoteAction.REOPEN in allowed_actions(status)
        else " Duplicate it to make a new one."
    )
    raise Conflict(f"Only a draft can be {doing}; this quote is {status.value}.{hint}")


async def replace_content(
    tx: Transaction, quote: Quote, body: QuoteIn, *, settings: QuoteSettingsOut, today: date
) -> Quote:
    """The draft's content replaced by ``body``'s, lines and sections wholesale."""
    _only_a_draft(quote, "changed")
    if quote.number is not None and body.client_id != quote.client_id:
        # What was offered to one client under a number stays theirs.
        raise ValidationProblem.for_field(
            "client_id",
            f"This quote was sent to its client as {quote.number}: duplicate it for another.",
            code="numbered_quote",
        )
    content = await checked_content(tx, body, settings, today)
    for name, value in content.columns.items():
        setattr(quote, name, value)
    # Emptied and written first: a section keeps its key, which is part of its row's key.
    quote.sections.clear()
    quote.lines.clear()
    await tx.flush()
    quote.sections.extend(content.sections)
    quote.lines.extend(content.lines)
    quote.updated_at = utcnow()
    await tx.flush()
    return quote


async def delete_draft(tx: Transaction, quote: Quote) -> None:
    if quote.number is not None:
        raise Conflict(
            f"This quote was sent as {quote.number}: void it instead, so that its number "
            "stays in the sequence."
        )
    await tx.delete(quote)
    # Its attachments' rows go with it (ON DELETE CASCADE); their files once committed.
    await delete_files_after_commit(tx, prefixes=[f"quotes/{quote.id}/attachments/"])


async def duplicate(
    tx: Transaction,
    quote: Quote,
    *,
    settings: QuoteSettingsOut,
    created_by: uuid.UUID | None,
    today: date,
) -> Quote:
    """A new draft with the same content, issued today, valid for the settings' days."""
    client = await live_client(tx, quote.client_id)
    if client is None:
        raise Conflict("The client of this quote has been deleted: make a new quote.")
    # The contact it went to may have left the client since.
    contact_id = (
        quote.contact_id
        if contact_of(client, quote.contact_id) is not None
        else first_contact_id(client)
    )
    copy = Quote(
        status=QuoteStatus.DRAFT,
        client_id=quote.client_id,
        contact_id=contact_id,
        assignee_id=quote.assignee_id,
        title=quote.title,
        currency=quote.currency,
        locale=quote.locale,
        issue_date=today,
        valid_until=today + timedelta(days=settings.validity_days),
        introduction=quote.introduction,
        notes=quote.notes,
        terms=quote.terms,
        discount_kind=quote.discount_kind,
        discount_value=quote.discount_value,
        total_without_tax=quote.total_without_tax,
        total_with_tax=quote.total_with_tax,
        created_by=created_by,
        sections=[
            QuoteSection(key=row.key, title=row.title, position=row.position)
            for row in quote.sections
        ],
        lines=[
            QuoteLine(
                position=row.position,
                section_key=row.section_key,
                product_id=row.product_id,
                description=row.description,
                quantity=row.quantity,
                unit=row.unit,
                unit_price=row.unit_price,
                vat_rate=row.vat_rate,
                discount_kind=row.discount_kind,
                discount_value=row.discount_value,
                optional=row.optional,
                chosen=row.chosen,
            )
            for row in quote.lines
        ],
    )
    tx.add(copy)
    await tx.flush()
    return copy


# The step each of staff's changes of status leaves in the quote's history.
_STEPS = {QuoteAction.VOID: HistoryKind.VOIDED, QuoteAction.REOPEN: HistoryKind.REOPENED}


async def change_status(
    tx: Transaction, quote: Quote, action: QuoteAction, *, staff_id: uuid.UUID | None = None
) -> Quote:
    """Void or reopen: the status ``statuses`` gives, or a conflict saying why not. Either
    withdraws the offer sent, so its links stop working; the next send makes new ones."""
    try:
        quote.status = transition(QuoteStatus(quote.status), action)
    except RefusedTransition as refused:
        raise Conflict(str(refused)) from None
    history.record(tx, quote, _STEPS[action], staff_id=staff_id)
    await revoke_links(tx, quote.id)
    quote.updated_at = utcnow()
    await tx.flush()
    return quote


async def revoke_links(tx: Transaction, quote_id: uuid.UUID) -> None:
    await tx.execute(
        update(QuoteLink)
        .where(QuoteLink.quote_id == quote_id, QuoteLink.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
