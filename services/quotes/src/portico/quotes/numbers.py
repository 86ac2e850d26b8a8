"""Drawing the next number of a sequence, without gaps and without repeats.

The counter row of the sequence's scope (``numbering.sequence_scope``) is created if
missing (``INSERT … ON CONFLICT DO NOTHING``, so two first numbers of a year create it
once), then moved on by ``UPDATE … SET next_value = next_value + 1 … RETURNING``, in the
transaction that issues the number. The same statements on both databases:

- on PostgreSQL the UPDATE locks the counter row until that transaction ends: a second
  quote sent at the same moment waits, then reads the value the first one committed, so
  the two numbers are consecutive and distinct; a rolled-back send rolls the counter back
  with it, leaving no gap;
- SQLite has one writer at a time: the second transaction waits for the first one's
  commit before it writes at all (the sending code takes the write lock first).

A number already held (an administrator changed the pattern and back, so a sequence
comes round to numbers issued before) is skipped rather than issued twice.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import exists, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import InstrumentedAttribute

from portico.kit.transaction import Transaction
from portico.quotes.models import NumberCounter
from portico.quotes.numbering import format_number, sequence_scope

QUOTE_NUMBERS = "quote"
INVOICE_NUMBERS = "invoice"


async def next_number(
    tx: Transaction,
    kind: str,
    pattern: str,
    issued_on: date,
    *,
    unique_in: InstrumentedAttribute[Any],
) -> str:
    """The next number of ``pattern`` for a document issued on ``issued_on``, drawn from
    the ``kind`` counter of its scope; ``unique_in`` is the column the numbers are kept in.
    """
    scope = sequence_scope(pattern, issued_on)
    dialect_insert = postgresql_insert if tx.database.is_postgres else sqlite_insert
    await tx.execute(
        dialect_insert(NumberCounter)
        .values(kind=kind, scope=scope, next_value=1)
        .on_conflict_do_nothing(index_elements=["kind", "scope"])
    )
    draw = (
        update(NumberCounter)
        .where(NumberCounter.kind == kind, NumberCounter.scope == scope)
        .values(next_value=NumberCounter.next_value + 1)
        .returning(NumberCounter.next_value)
        .execution_options(synchronize_session=False)
    )
    while True:
        after = (await tx.execute(draw)).scalar_one()
        number = format_number(pattern, issued_on, after - 1)
        if not await tx.scalar(select(exists().where(unique_in == number))):
            return number
