"""the outbox relay holds row locks instead of a lease; PostgreSQL notifies relays by trigger

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25 12:00:00
"""

from collections.abc import Sequence

from portico.kit.migrations import outbox_relays_by_lease, outbox_relays_by_row_locks

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    outbox_relays_by_row_locks()


def downgrade() -> None:
    outbox_relays_by_lease()
