"""The seal signed quotes carry: the quotes service's own key and self-signed certificate
(EC P-256, made at the first seal and kept in its database, the newest row in use), applied
by ``portico.pdf.complete_document`` as an invisible PAdES signature over the whole signed
quote and its certificate, so that any PDF reader shows them untouched since.

A process keeps the loaded key: parsing the PKCS#12 at every seal would cost each
acceptance for nothing.
"""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import select

from portico.kit.transaction import Transaction
from portico.pdf import SealKey, create_seal_key, load_seal_key
from portico.quotes.models import QuoteSealKey

DEFAULT_HOLDER = "Portico"
_loaded: dict[uuid.UUID, SealKey] = {}


async def current_seal(tx: Transaction, holder: str) -> SealKey:
    """The key to seal with, made in ``tx`` (for ``holder``, the organisation) when there
    is none yet."""
    row = (
        await tx.execute(select(QuoteSealKey).order_by(QuoteSealKey.created_at.desc()).limit(1))
    ).scalar_one_or_none()
    if row is None:
        pkcs12 = await asyncio.to_thread(create_seal_key, holder.strip() or DEFAULT_HOLDER)
        made = await asyncio.to_thread(load_seal_key, pkcs12, None)
        row = QuoteSealKey(pkcs12=pkcs12, subject=made.subject, fingerprint=made.fingerprint)
        tx.add(row)
        await tx.flush()
        _loaded[row.id] = made
    held = _loaded.get(row.id)
    if held is None:
        held = _loaded[row.id] = await asyncio.to_thread(load_seal_key, row.pkcs12, None)
    return held


def seal_reason(number: str) -> str:
    """What the seal says it was applied for, shown by PDF readers."""
    return f"Quote {number} accepted"
