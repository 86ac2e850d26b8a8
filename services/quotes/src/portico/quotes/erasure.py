"""An erased client's quotes and invoices, removed with their files (docs/erasure.md).

A plain deletion keeps every quote sent and every invoice (``replicas.forget_client``
says why). An erasure is the client asking for their personal data to be erased: the
organisation gives up those records, so everything goes. Invoices first (one keeps the
quote it bills from being deleted); then the quotes, whose sections, lines, links, history
and attachments' rows go with them (ON DELETE CASCADE); then, once that commits, every
file of theirs, all under ``quotes/<id>/``: the PDFs sent, the signed quote, the drawn
signature, the attachments. Invoices' PDFs are printed on demand, never stored.

The invoice numbers erased leave holes in the sequence: docs/erasure.md tells the
accountant why.
"""

from __future__ import annotations

import uuid

from sqlalchemy import delete, or_, select

from portico.kit.store.removal import delete_files_after_commit
from portico.kit.transaction import Transaction
from portico.quotes.models import Invoice, Quote


def quote_prefix(quote_id: uuid.UUID) -> str:
    return f"quotes/{quote_id}/"


async def erase_client_records(tx: Transaction, client_id: uuid.UUID) -> None:
    quote_ids = list(await tx.scalars(select(Quote.id).where(Quote.client_id == client_id)))
    await tx.execute(
        delete(Invoice).where(or_(Invoice.client_id == client_id, Invoice.quote_id.in_(quote_ids)))
    )
    if quote_ids:
        await tx.execute(delete(Quote).where(Quote.id.in_(quote_ids)))
        await delete_files_after_commit(tx, prefixes=[quote_prefix(i) for i in quote_ids])
