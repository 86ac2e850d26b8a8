"""deliveries are sent by the kit's jobs: the dispatcher's lease and index go; a delivery
waiting to be sent gets the job that sends it

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-05 12:00:00

A delivery was claimed by the dispatcher's own loop (``claimed_until``, the partial index
of pending rows); it is now sent by a ``notifier.send`` job added in the transaction that
records it. Deliveries pending at the upgrade (a retry waiting, a backlog) get one job
each, due when the delivery is, so that none is left without a job to send it.
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

from portico.kit.db import UTCDateTime

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
# The jobs table is the kit's (its own migration branch): it must exist first.
depends_on: str | Sequence[str] | None = "kit0002"

deliveries = sa.table(
    "deliveries",
    sa.column("id", sa.Uuid()),
    sa.column("status", sa.String()),
    sa.column("next_attempt_at", UTCDateTime()),
)
jobs = sa.table(
    "jobs",
    sa.column("id", sa.String()),
    sa.column("kind", sa.String()),
    sa.column("payload", sa.JSON()),
    sa.column("run_at", UTCDateTime()),
    sa.column("status", sa.String()),
    sa.column("tries", sa.Integer()),
    sa.column("created_at", UTCDateTime()),
)


def upgrade() -> None:
    now = datetime.now(UTC)
    pending = op.get_bind().execute(
        sa.select(deliveries.c.id, deliveries.c.next_attempt_at).where(
            deliveries.c.status == "pending"
        )
    )
    rows = [
        {
            "id": str(uuid.uuid4()),
            "kind": "notifier.send",
            "payload": {"deliveries": [str(row.id)]},
            "run_at": row.next_attempt_at or now,
            "status": "pending",
            "tries": 0,
            "created_at": now,
        }
        for row in pending
    ]
    if rows:
        op.bulk_insert(jobs, rows)
    with op.batch_alter_table("deliveries") as batch:
        batch.drop_index(
            "ix_deliveries_due",
            postgresql_where=sa.text("status = 'pending'"),
            sqlite_where=sa.text("status = 'pending'"),
        )
        batch.drop_column("claimed_until")


def downgrade() -> None:
    with op.batch_alter_table("deliveries") as batch:
        batch.add_column(sa.Column("claimed_until", sa.DateTime(timezone=True), nullable=True))
        batch.create_index(
            "ix_deliveries_due",
            ["next_attempt_at"],
            postgresql_where=sa.text("status = 'pending'"),
            sqlite_where=sa.text("status = 'pending'"),
        )
